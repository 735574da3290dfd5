package org.convlens.model;

import java.util.Arrays;
import java.util.Objects;

/** How to load a SavedModel: meta-graph tags, signature key and whether unsafe ops are allowed. */
public final class LoadOptions {

	public static final LoadOptions DEFAULT = new LoadOptions(new String[] { "serve" }, null, false);

	private final String[] tags;
	private final String signatureKey;
	private final boolean allowUnsafeOps;

	public LoadOptions(String[] tags, String signatureKey, boolean allowUnsafeOps) {
		this.tags = tags == null || tags.length == 0 ? new String[] { "serve" } : tags.clone();
		this.signatureKey = signatureKey;
		this.allowUnsafeOps = allowUnsafeOps;
	}

	public String[] tags() { return tags.clone(); }
	/** The signature to use, or null for {@code serving_default} (or the only one). */
	public String signatureKey() { return signatureKey; }
	/** Load models whose graph reads or writes files; off by default. */
	public boolean allowUnsafeOps() { return allowUnsafeOps; }

	public LoadOptions withTags(String... t) { return new LoadOptions(t, signatureKey, allowUnsafeOps); }
	public LoadOptions withSignature(String key) { return new LoadOptions(tags, key, allowUnsafeOps); }
	public LoadOptions withUnsafeOpsAllowed(boolean allow) { return new LoadOptions(tags, signatureKey, allow); }

	@Override
	public boolean equals(Object o) {
		if (!(o instanceof LoadOptions)) return false;
		LoadOptions l = (LoadOptions) o;
		return Arrays.equals(tags, l.tags) && Objects.equals(signatureKey, l.signatureKey) && allowUnsafeOps == l.allowUnsafeOps;
	}

	@Override
	public int hashCode() {
		return Objects.hash(Arrays.hashCode(tags), signatureKey, allowUnsafeOps);
	}

	@Override
	public String toString() {
		return "tags=" + Arrays.toString(tags) + " signature=" + signatureKey + " allowUnsafeOps=" + allowUnsafeOps;
	}
}
