// ConvLens example: the activations of one layer for the open image (or the demo image),
// with a montage, filter statistics and the top classes.
//
// In Fiji/ImageJ: open an image, then Plugins > Macros > Run... this file (edit 'model' and 'layer').
// Headless (Fiji):  ImageJ-linux64 --headless -batch macros/activations-one-layer.ijm "model=/path/model layer=conv2d_1 image=/path/img.tif output=/path/out"
// Layer names: java -cp "ConvLens_.jar:jars/*" org.convlens.commands.Inspect /path/model

cwd = call("java.lang.System.getProperty", "user.dir") + File.separator;
args = getArgument();
model = value(args, "model", cwd + "test-data/models/shapes-keras");
layer = value(args, "layer", "conv2d_1");
image = value(args, "image", "");
output = value(args, "output", "");

if (image != "") open(image);
else if (nImages == 0) open(cwd + "test-data/images/demo-ring.tif");
source = getTitle();

run("Show Activations...", "model=[" + model + "] layer=" + layer + " montage stats predict top=3");
// the outputs, titled <image>-<what>-<layer> (image title without extension; "-1", "-2" when run again):
// the hyperstack <stem>-activations-<layer>, the montage <stem>-montage-<layer>, and the tables
// <stem>-FilterStatistics-<layer> and <stem>-Predictions-<layer>
stem = replace(source, "\\.(tiff?|png|jpe?g|gif|bmp)$", "");
if (output != "") {
	File.makeDirectory(output);
	selectImage(stem + "-activations-" + layer);
	saveAs("Tiff", output + File.separator + "activations.tif");
	selectImage(stem + "-montage-" + layer);
	saveAs("PNG", output + File.separator + "montage.png");
}

function value(args, key, def) {
	// reads key=value from "key1=v1 key2=v2"
	items = split(args, " ");
	for (i = 0; i < items.length; i++) {
		if (startsWith(items[i], key + "=")) return substring(items[i], lengthOf(key) + 1);
	}
	return def;
}
