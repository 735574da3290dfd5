package org.convlens.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelLease;
import org.convlens.model.ModelService;
import org.convlens.model.Preprocessing;

/**
 * The model a command run uses and the preprocessing it applies: the model is leased from the
 * shared cache on first use and held until the run ends (the same model for the whole run, even
 * if its files change meanwhile); the preprocessing is the model's default with the command's
 * normalization choice and other keys applied. Dialogs ask here for a model's info or problem.
 */
final class CommandModel {

	/** Models whose in-graph scaling was already reported in the Log (once per model and session). */
	private static final Set<String> SCALING_LOGGED = ConcurrentHashMap.newKeySet();

	private ModelLease lease;

	/** The model at {@code model}, leased on the first call of a run; its warnings go to the Log. */
	ConvModel model(ModelService service, File model, CommandLog log, String title) {
		if (model == null || model.getPath().isEmpty()) throw new IllegalArgumentException("No model chosen (option 'model').");
		if (lease == null) {
			lease = service.acquire(model.toPath());
			// e.g. a labels file that was ignored: the outputs then say "class k"
			for (String w : lease.model().info().warnings()) log.log(title + ": warning: " + w);
		}
		return lease.model();
	}

	/** Returns the run's model to the cache. */
	void release() {
		if (lease != null) lease.close();
		lease = null;
	}

	/** The model's default preprocessing with {@code normalization} and the other keys applied. */
	static Preprocessing prep(ModelInfo info, String normalization, String preprocessing, CommandLog log) {
		String base = Preprocessing.forModel(info).toString();
		String spec = joinSpec(normalization, preprocessing);
		if (info.inGraphScaling() != null && !normalizationGiven(spec) && info.path() != null &&
			SCALING_LOGGED.add(info.path().toString()))
		{
			log.log("ConvLens: " + info.path().getFileName() + ": " + Preprocessing.defaultReason(info) + ".");
		}
		return spec.isEmpty() ? Preprocessing.parse(base) : Preprocessing.parse(base + " " + spec);
	}

	/** See {@link ConvLensCommand#joinSpec}. */
	static String joinSpec(String normalization, String rest) {
		String r = rest == null ? "" : rest.trim();
		if (normalization == null || normalization.isBlank() || ConvLensCommand.MODEL_DEFAULT.equals(normalization.trim())) return r;
		return ("normalization=" + normalization.trim() + " " + r).trim();
	}

	/** A normalization's name in specs and in the list, e.g. {@code type-range}. */
	static String specName(Preprocessing.Normalization n) {
		return n.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	private static boolean normalizationGiven(String spec) {
		return spec != null && spec.toLowerCase(Locale.ROOT).contains("normali");
	}

	/** The info of the model at {@code path} from the shared cache, or null when it cannot be loaded (dialogs). */
	static ModelInfo dialogInfo(ModelService service, Path path) {
		if (path == null || service == null || !path.toFile().exists()) return null;
		try {
			return service.get(path).info();
		}
		catch (RuntimeException e) {
			return null; // reported when the command runs
		}
	}

	/** Why the model at {@code path} cannot be loaded (the loader's message), or null when it can (dialogs). */
	static String modelProblem(ModelService service, Path path) {
		if (service == null) return null;
		try {
			service.get(path).info();
			return null;
		}
		catch (RuntimeException e) {
			return "Cannot use the model " + path + ": " + CommandErrors.message(e);
		}
	}

	/** Passes the info of the model at {@code model} to {@code use}; does nothing when it is missing or cannot be loaded. */
	static void withInfo(ModelService service, File model, Consumer<ModelInfo> use) {
		if (model == null || service == null || model.getPath().isEmpty() || !model.exists()) return;
		try (ModelLease l = service.acquire(model.toPath())) {
			use.accept(l.model().info());
		}
		catch (RuntimeException e) {
			// an unreadable model is reported when the command runs
		}
	}
}
