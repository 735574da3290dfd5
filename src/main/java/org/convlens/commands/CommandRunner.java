package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.imagej.Outputs;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleRunner;
import org.scijava.module.ModuleService;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.PluginService;
import org.scijava.service.Service;

/**
 * Runs a command module on the calling thread (so ImageJ 1.x macro state and batch-mode images,
 * which are per thread, stay visible) with SciJava's pre- and postprocessors, and returns its
 * outputs. Used by {@link IJ1Bridge}, {@link Batch} and tests.
 */
public final class CommandRunner {

	private CommandRunner() {}

	private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

	/** Whether a command runs under {@link #run} on this thread (which reports its user errors itself). */
	static boolean active() {
		return ACTIVE.get();
	}

	/** A fresh module of a command class. */
	public static Module create(Context ctx, Class<? extends Command> cls) {
		CommandInfo info = ctx.service(CommandService.class).getCommand(cls);
		if (info == null) throw new IllegalArgumentException("Not a registered SciJava command: " + cls.getName());
		return ctx.service(ModuleService.class).createModule(info);
	}

	/** Whether an input is filled by SciJava itself (services, the context) rather than by the user. */
	public static boolean isInjected(ModuleItem<?> item) {
		Class<?> t = item.getType();
		return Service.class.isAssignableFrom(t) || Context.class.isAssignableFrom(t);
	}

	/**
	 * Sets the inputs, marks every other user input resolved (so no dialog asks for it: it keeps its
	 * default), runs the module and returns its outputs by name.
	 *
	 * @param display whether the outputs are shown (GUI) or only returned (batch, tests)
	 * @throws CommandCancelledException when the command was cancelled; the reason is the message
	 */
	public static Map<String, Object> run(Context ctx, Module module, Map<String, ?> inputs, boolean display) {
		return run(ctx, module, inputs, display, true);
	}

	/**
	 * As {@link #run(Context, Module, Map, boolean)}; with {@code persist} false the user's SciJava
	 * preferences are neither read nor written (SciJava's Load/SaveInputs processors are left out),
	 * as a batch run must not change the defaults a person later sees in the dialogs.
	 */
	public static Map<String, Object> run(Context ctx, Module module, Map<String, ?> inputs, boolean display, boolean persist) {
		for (Map.Entry<String, ?> e : inputs.entrySet()) {
			if (module.getInfo().getInput(e.getKey()) == null) throw new IllegalArgumentException("'" + e.getKey() + "' is not an input of " + module.getInfo().getTitle());
			module.setInput(e.getKey(), e.getValue());
			module.resolveInput(e.getKey());
		}
		for (ModuleItem<?> item : module.getInfo().inputs()) {
			if (!isInjected(item)) module.resolveInput(item.getName());
		}
		PluginService ps = ctx.service(PluginService.class);
		List<PreprocessorPlugin> pre = ps.createInstancesOfType(PreprocessorPlugin.class);
		List<PostprocessorPlugin> post = ps.createInstancesOfType(PostprocessorPlugin.class);
		// Fiji's macro-recorder processors would add a second, SciJava-style set of options to the
		// line ImageJ 1.x already records from our dialog
		pre.removeIf(p -> p.getClass().getSimpleName().startsWith("MacroRecorder"));
		post.removeIf(p -> p.getClass().getSimpleName().startsWith("MacroRecorder"));
		if (!persist) {
			pre.removeIf(p -> p instanceof org.scijava.module.process.LoadInputsPreprocessor);
			pre.removeIf(p -> p instanceof org.scijava.module.process.SaveInputsPreprocessor);
		}
		Boolean before = Outputs.displaySetting();
		Outputs.setDisplay(display);
		boolean wasActive = ACTIVE.get();
		ACTIVE.set(true);
		try {
			new ModuleRunner(ctx, module, pre, post).run();
		}
		finally {
			ACTIVE.set(wasActive);
			Outputs.restoreDisplay(before);
		}
		Object delegate = module.getDelegateObject();
		if (delegate instanceof ConvLensCommand && ((ConvLensCommand) delegate).failure() != null) throw ((ConvLensCommand) delegate).failure();
		if (module instanceof Cancelable && ((Cancelable) module).isCanceled()) {
			String reason = ((Cancelable) module).getCancelReason();
			throw new CommandCancelledException(reason == null ? "Cancelled." : reason);
		}
		Map<String, Object> out = new LinkedHashMap<>();
		for (ModuleItem<?> item : module.getInfo().outputs()) out.put(item.getName(), item.getValue(module));
		return out;
	}
}
