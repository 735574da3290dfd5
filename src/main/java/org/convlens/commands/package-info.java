/**
 * Commands room: thin SciJava commands plus the plumbing that runs them from Fiji, plain ImageJ
 * 1.x menus and macros, and the command line. No logic and no TensorFlow types here.
 *
 * <h2>Adding a command (about 10 lines)</h2>
 * <ol>
 * <li>Extend {@link org.convlens.commands.ConvLensCommand} (it brings the inputs {@code image},
 * {@code model}, {@code preprocessing}, the {@code ModelService}, progress and error reporting):
 * <pre>
 * &#64;Plugin(type = Command.class, name = "gradcam", label = "Grad-CAM", menuPath = "Plugins>ConvLens>Grad-CAM...", headless = true)
 * public class GradCam extends ConvLensCommand {
 *   &#64;Parameter(label = "Layer (feature maps)", required = false, persist = false) private String layer = "";
 *   &#64;Parameter(type = ItemIO.OUTPUT, label = "Heatmap") private ImagePlus heatmap;
 *   protected void onModel(ModelInfo info) { setChoices("layer", layerChoices(info, l -&gt; true, l -&gt; l.kind() == LayerKind.SPATIAL)); }
 *   protected void execute() {
 *     ImagePlus imp = image(); ConvModel m = convModel(); ModelInfo info = m.info();
 *     NdArray x = ImageInput.batch(imp, ImageInput.positions(imp), prep(info), info.imageInput().shape());
 *     heatmap = ...; // compute in org.convlens.explain with progress(); build the ImagePlus in org.convlens.imagej
 *     Provenance.stamp(heatmap, getInfo().getTitle(), info, prep(info), imp, Map.of("layer", layer));
 *   }
 * }
 * </pre>
 * Input names must be single lower-case words: they are the macro and batch keys (the dialog
 * records them, whatever the label). Labels are for people, with units: "Patch size (pixels)",
 * never the raw name ({@code DialogLabelsTest}). The menu item ends with "..." (it opens a dialog);
 * {@code label} keeps the title without it. Window titles come from
 * {@link org.convlens.imagej.Titles#of} ({@code image-what-layer}); a layer list puts the default
 * first, then the model's order ({@code layerChoices}, {@code defaultFirst}). Throw
 * {@code IllegalArgumentException}/{@code ModelException} with a user-facing message; the base
 * class shows it with IJ.error in the GUI and rethrows it headless. Outputs ({@code ImagePlus},
 * {@code ResultsTable}) are shown by {@link org.convlens.commands.OutputPostprocessor} or saved by
 * {@link org.convlens.commands.Batch}; never show them yourself. Never modify the input image.
 * Keep the command thin (about 120 lines, {@code CodeShapeTest}): a workflow of more than one call
 * belongs in {@code org.convlens.imagej} or {@code org.convlens.explain}, where tests reach it without
 * SciJava. A choice list comes from the enum that parses it: declare
 * {@code initializer = "initMethod"} on the parameter and set the choices there with
 * {@link org.convlens.commands.ChoiceLists}; the ImageJ 1.x dialogs run the same initializers.
 * Use {@code log(String)} for Log lines (ImageJ's Log window and SciJava's {@code LogService}).</li>
 * <li>Add one line to {@code plugins.config} (repository top level) for ImageJ 1.x menus/macros:
 * <pre>Plugins>ConvLens, "Grad-CAM...", org.convlens.commands.IJ1Bridge("org.convlens.commands.GradCam")</pre>
 * The generic {@link org.convlens.commands.IJ1Bridge} then reads macro options
 * ({@code run("Grad-CAM...", "model=[/m] layer=conv2d_2")}, also headless; check boxes: present = on,
 * absent = off), or shows a recordable GenericDialog built from the inputs (in two steps, model
 * first, when the command overrides {@code onModel} to fill choice lists; a model that cannot be
 * loaded is reported in the first dialog, which comes back). Add the command's reference page to
 * {@code IJ1Bridge.helpUrl} for its Help button.</li>
 * <li>Batch/CLI needs nothing more: {@code Batch gradcam --model M --input DIR --output OUT layer=conv2d_2}
 * finds the command by its {@code name}.</li>
 * <li>Add one line to {@link org.convlens.commands.Demo#STEPS} so the README demo shows it, and
 * optionally a macro in {@code macros/}.</li>
 * <li>Predictions for any command: add {@code boolean predict}, {@code int top} inputs and a
 * {@code ResultsTable predictions} output, then {@code predictions = predictionTable(m, x, null, positions, top)}.</li>
 * </ol>
 * Tests: run a command with {@code CommandRunner.run(ctx, CommandRunner.create(ctx, GradCam.class), Map.of(...), false)}
 * (outputs returned, nothing shown), or through the macro path with
 * {@code Macro.setOptions(...)} and {@code IJ1Bridge.runCommand(className, options)}.
 */
package org.convlens.commands;
