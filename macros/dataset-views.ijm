// ConvLens example: dataset views of a folder of images: max-activating patches, CNN codes, t-SNE map.
//
// Headless (Fiji):  ImageJ-linux64 --headless -batch macros/dataset-views.ijm "model=/path/model input=/path/images output=/path/out"
// Without arguments it uses the demo model and test-data/images/localization.
// (The same without ImageJ: java -cp "ConvLens_.jar:jars/*" org.convlens.commands.Batch maxact --model M --input DIR --output OUT layer=conv2d_2)
// Sub-folders as classes: add "recursive labels" to the options.

cwd = call("java.lang.System.getProperty", "user.dir") + File.separator;
args = getArgument();
model = value(args, "model", cwd + "test-data/models/shapes-keras");
input = value(args, "input", cwd + "test-data/images/localization");
output = value(args, "output", cwd + "dataset-output");

setBatchMode(true);
File.makeDirectory(output);
source = "model=[" + model + "] source=folder folder=[" + input + "]";

// save=[folder] writes each command's outputs there (TIFF/PNG images, CSV tables) instead of showing them,
// named <Command>_<output>, e.g. MaxActivatingImages_montages.tif, MaxActivatingImages_hits.csv

// 1. the 6 images that excite filters 0-3 of conv2d_2 most, as receptive-field patches (one montage per filter)
run("Max-Activating Images...", source + " layer=conv2d_2 filters=0-3 top=6 score=max patch tile=96 save=[" + output + "]");

// 2. CNN codes of the classifier's input (the default layer), streamed to a CSV file
run("CNN Codes...", source + " pooling=flatten csv=[" + output + File.separator + "codes.csv]");

// 3. t-SNE map of the same codes: scatter plot by predicted class, the image grid, the coordinates
run("Embedding Map...", source + " perplexity=10 iterations=500 seed=42 method=auto color=predicted grid=8 cell=48 save=[" + output + "]");
print("ConvLens: dataset views in " + output);

function value(args, key, def) {
	items = split(args, " ");
	for (i = 0; i < items.length; i++) {
		if (startsWith(items[i], key + "=")) return substring(items[i], lengthOf(key) + 1);
	}
	return def;
}
