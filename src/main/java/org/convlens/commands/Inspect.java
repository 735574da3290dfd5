package org.convlens.commands;

import java.nio.file.Paths;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.Models;

/**
 * Prints what ConvLens sees in a model (inputs, outputs, classes, layer names for macros):
 * {@code java -cp ... org.convlens.commands.Inspect /path/to/saved_model}. Exit code 1 with a
 * message on stderr when the model cannot be read, 2 for wrong usage.
 */
public final class Inspect {

	private Inspect() {}

	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	public static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
		if (args.length != 1) {
			err.println("Usage: Inspect <SavedModel folder or .zip>");
			return 2;
		}
		try (ConvModel m = Models.open(Paths.get(args[0]))) {
			out.print(m.info().describe());
			return 0;
		}
		catch (ModelException | IllegalArgumentException e) {
			err.println("Error: " + e.getMessage());
			return 1;
		}
		catch (RuntimeException | OutOfMemoryError | LinkageError e) {
			// anything else is still one line for a person; -Dconvlens.debug=true adds the trace
			err.println("Error: " + Batch.failureText(e, null));
			if (Boolean.getBoolean("convlens.debug")) e.printStackTrace(err);
			return 1;
		}
	}
}
