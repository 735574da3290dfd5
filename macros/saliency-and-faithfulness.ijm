// ConvLens: saliency maps and how faithful they are, on the current image.
// Set the model folder below (or leave it empty to be asked).
model = "";
if (model == "") model = getDirectory("Choose the model folder (SavedModel)");
id = getImageID();

// occlusion: 8 x 8 image-pixel patches every 4 pixels, grey (mean) fill, for the top class
run("Occlusion Map...", "model=[" + model + "] patch=8 stride=4 fill=mean target=top batch=32 overlay");
selectImage(id);
// SmoothGrad (50 noisy copies, 15 % noise) and Integrated Gradients from a black image
run("Saliency Map...", "model=[" + model + "] method=smoothgrad target=top samples=50 noise=15 batch=16");
selectImage(id);
run("Saliency Map...", "model=[" + model + "] method=integrated-gradients target=top steps=50 baseline=black batch=16");
selectImage(id);
// deletion / insertion curves of Grad-CAM against a random heatmap, and the randomisation check
run("Heatmap Faithfulness...", "model=[" + model + "] method=Grad-CAM target=top steps=50 score=auto randomization");
