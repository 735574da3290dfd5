// ConvLens example: the all-layers overview of every image in a folder, saved as PNG.
//
// Headless (Fiji):  ImageJ-linux64 --headless -batch macros/overview-folder.ijm "model=/path/model input=/path/images output=/path/out"
// Without arguments it uses the demo model and test-data/images/localization.
// (The same without ImageJ: java -cp "ConvLens_.jar:jars/*" org.convlens.commands.Batch overview --model M --input DIR --output OUT)

cwd = call("java.lang.System.getProperty", "user.dir") + File.separator;
args = getArgument();
model = value(args, "model", cwd + "test-data/models/shapes-keras");
input = value(args, "input", cwd + "test-data/images/localization");
output = value(args, "output", cwd + "overview-output");

setBatchMode(true);
File.makeDirectory(output);
list = getFileList(input);
count = 0;
for (i = 0; i < list.length; i++) {
	name = list[i];
	if (!matches(toLowerCase(name), ".*\\.(tif|tiff|png|jpg|jpeg)$")) continue;
	open(input + File.separator + name);
	run("All Layers Overview...", "model=[" + model + "]");
	saveAs("PNG", output + File.separator + File.getNameWithoutExtension(name) + "_overview.png");
	close("*");
	count++;
}
print("ConvLens: " + count + " overview(s) in " + output);

function value(args, key, def) {
	items = split(args, " ");
	for (i = 0; i < items.length; i++) {
		if (startsWith(items[i], key + "=")) return substring(items[i], lengthOf(key) + 1);
	}
	return def;
}
