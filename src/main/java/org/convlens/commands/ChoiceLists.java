package org.convlens.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Choice lists derived from the enums (or lists) that parse the values, so a dialog offers exactly
 * what the parser accepts: an enum constant {@code PER_KERNEL} is offered as {@code per-kernel}.
 * The commands set them from SciJava initializers ({@code @Parameter(initializer = ...)}), which
 * run before Fiji's dialog and before {@link IJ1Dialogs} builds an ImageJ 1.x dialog.
 */
final class ChoiceLists {

	/** Values of the {@code score} inputs ({@code ScoreRule.resolve} also takes output and logit). */
	static final List<String> SCORES = List.of("auto", "probability", "logits");

	/** What the {@code score} inputs take beyond {@link #SCORES}. */
	static final java.util.function.Predicate<String> SCORE_ALIASES = v -> List.of("output", "logit").contains(v.trim().toLowerCase(Locale.ROOT));

	private ChoiceLists() {}

	/** The values {@code parser} takes without throwing. */
	static java.util.function.Predicate<String> parses(java.util.function.Consumer<String> parser) {
		return v -> {
			try {
				parser.accept(v);
				return true;
			}
			catch (RuntimeException e) {
				return false;
			}
		};
	}

	/** The constants' names in lower case with dashes, in declaration order. */
	static List<String> of(Class<? extends Enum<?>> type) {
		List<String> out = new ArrayList<>();
		for (Enum<?> e : type.getEnumConstants()) out.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
		return out;
	}

	/** {@code first}, then {@link #of}(type) without it. */
	static List<String> of(String first, Class<? extends Enum<?>> type) {
		List<String> out = new ArrayList<>(List.of(first));
		for (String s : of(type)) if (!s.equals(first)) out.add(s);
		return out;
	}
}
