// ConvLens example: a class activation map (Grad-CAM) of the open image (or the demo image), laid
// over it as an overlay, with the heatmap as a 32-bit image and the top classes.
//
// In Fiji/ImageJ: open an image, then Plugins > Macros > Run... this file (edit 'model').
// Headless (Fiji):  ImageJ-linux64 --headless -batch macros/class-activation-map.ijm "model=/path/model image=/path/img.tif output=/path/out"
// Options: method=Grad-CAM|Grad-CAM++|HiResCAM|XGradCAM|LayerCAM|Score-CAM|Ablation-CAM|EigenCAM, target=top|2|ring|region=X0,Y0,X1,Y1|roi,
// layer=NAME (default: the last spatial layer) or layers=[a,b] (averaged), lut, opacity, threshold.

cwd = call("java.lang.System.getProperty", "user.dir") + File.separator;
args = getArgument();
model = value(args, "model", cwd + "test-data/models/shapes-keras");
method = value(args, "method", "Grad-CAM");
target = value(args, "target", "top");
image = value(args, "image", "");
output = value(args, "output", "");

if (image != "") open(image);
else if (nImages == 0) open(cwd + "test-data/images/demo-ring.tif");
source = getTitle();
stem = replace(source, "\\.(tiff?|png|jpe?g|gif|bmp)$", "");

run("Class Activation Map...", "model=[" + model + "] method=" + method + " target=[" + target + "] lut=jet opacity=0.5 threshold=0.15 overlay predict top=3");
// the outputs: the overlay on the source, the image <stem>-<method without dashes>-<layer> (e.g.
// demo-ring-GradCAM-conv2d_2; "-1", "-2" when run again) and the table <stem>-Predictions-<layer>
heatmap = "";
for (i = 1; i <= nImages; i++) {
	selectImage(i);
	if (startsWith(getTitle(), stem + "-" + replace(method, "-", "") + "-")) heatmap = getTitle();
}
if (output != "") {
	File.makeDirectory(output);
	selectImage(heatmap);
	saveAs("Tiff", output + File.separator + "heatmap.tif");
	selectImage(source);
	run("Flatten");
	saveAs("PNG", output + File.separator + "overlay.png");
	close();
	selectImage(source);
}

function value(args, key, def) {
	// reads key=value from "key1=v1 key2=v2"
	items = split(args, " ");
	for (i = 0; i < items.length; i++) {
		if (startsWith(items[i], key + "=")) return substring(items[i], lengthOf(key) + 1);
	}
	return def;
}
