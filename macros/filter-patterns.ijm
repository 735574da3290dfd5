// ConvLens example: the filter patterns of one layer (no image needed: patterns grow from noise),
// and the first layer's kernels.
//
// In Fiji/ImageJ: Plugins > Macros > Run... this file (edit 'model' and 'layer').
// Headless (Fiji):  ImageJ-linux64 --headless -batch macros/filter-patterns.ijm "model=/path/model layer=conv2d_2 output=/path/out"
// Layer names: java -cp "ConvLens_.jar:jars/*" org.convlens.commands.Inspect /path/model

cwd = call("java.lang.System.getProperty", "user.dir") + File.separator;
args = getArgument();
model = value(args, "model", cwd + "test-data/models/shapes-keras");
layer = value(args, "layer", "conv2d_1");
output = value(args, "output", "");

// the DLwP recipe: 30 steps of gradient ascent from grey noise, for every filter of the layer
options = "model=[" + model + "] layer=" + layer + " filters=all iterations=30 step=10 seed=0";
// sharper, Lucid-style patterns (slower): add " sharper iterations=128"
if (output != "") options = options + " save=[" + output + "]";
run("Filter Patterns...", options);
// outputs: the stack "<model> - <layer> patterns" (one labelled slice per filter), its montage
// (dead filters in red) and the table "Pattern results" (filter, start, final, gain, dead, rescues)

weights = "model=[" + model + "] zoom=8 contrast=shared";
if (output != "") weights = weights + " save=[" + output + "]";
run("First-Layer Weights...", weights);

function value(args, key, def) {
	// reads key=value from "key1=v1 key2=v2"
	items = split(args, " ");
	for (i = 0; i < items.length; i++) {
		if (startsWith(items[i], key + "=")) return substring(items[i], lengthOf(key) + 1);
	}
	return def;
}
