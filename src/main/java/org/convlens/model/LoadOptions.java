package org.convlens.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * How to load a SavedModel: meta-graph tags, signature key, whether unsafe ops are allowed, and
 * the limits for extracting a zipped model.
 */
public final class LoadOptions {

	public static final LoadOptions DEFAULT = new LoadOptions(new String[] { "serve" }, null, false);

	/** Default cap on the bytes a model zip may inflate to (4 GB); system property {@value #ZIP_MAX_BYTES_PROPERTY}. */
	public static final long DEFAULT_ZIP_MAX_BYTES = 4_000_000_000L;
	/** Default cap on the entries of a model zip; system property {@value #ZIP_MAX_ENTRIES_PROPERTY}. */
	public static final int DEFAULT_ZIP_MAX_ENTRIES = 10_000;
	public static final String ZIP_MAX_BYTES_PROPERTY = "convlens.zip.maxBytes";
	public static final String ZIP_MAX_ENTRIES_PROPERTY = "convlens.zip.maxEntries";

	private final String[] tags;
	private final String signatureKey;
	private final boolean allowUnsafeOps;
	/** -1: the system property, else the default. */
	private final long zipMaxBytes;
	private final int zipMaxEntries;

	public LoadOptions(String[] tags, String signatureKey, boolean allowUnsafeOps) {
		this(tags, signatureKey, allowUnsafeOps, -1, -1);
	}

	private LoadOptions(String[] tags, String signatureKey, boolean allowUnsafeOps, long zipMaxBytes, int zipMaxEntries) {
		this.tags = tags == null || tags.length == 0 ? new String[] { "serve" } : tags.clone();
		this.signatureKey = signatureKey;
		this.allowUnsafeOps = allowUnsafeOps;
		this.zipMaxBytes = zipMaxBytes;
		this.zipMaxEntries = zipMaxEntries;
	}

	public String[] tags() { return tags.clone(); }
	/** The signature to use, or null for {@code serving_default} (or the only one). */
	public String signatureKey() { return signatureKey; }
	/** Load models whose graph holds ops outside ConvLens's reviewed allowlist (e.g. ops that read or write files); off by default. */
	public boolean allowUnsafeOps() { return allowUnsafeOps; }

	/** The most bytes a model zip may inflate to: set here, else {@value #ZIP_MAX_BYTES_PROPERTY}, else 4 GB. */
	public long zipMaxBytes() {
		return zipMaxBytes > 0 ? zipMaxBytes : property(ZIP_MAX_BYTES_PROPERTY, DEFAULT_ZIP_MAX_BYTES);
	}

	/** The most entries a model zip may hold: set here, else {@value #ZIP_MAX_ENTRIES_PROPERTY}, else 10,000. */
	public int zipMaxEntries() {
		return zipMaxEntries > 0 ? zipMaxEntries : (int) Math.min(Integer.MAX_VALUE, property(ZIP_MAX_ENTRIES_PROPERTY, DEFAULT_ZIP_MAX_ENTRIES));
	}

	private static long property(String name, long dflt) {
		String v = System.getProperty(name);
		if (v == null || v.isBlank()) return dflt;
		try {
			long l = Long.parseLong(v.trim());
			if (l > 0) return l;
		}
		catch (NumberFormatException e) {
			// reported below
		}
		throw new ModelException("System property " + name + " must be a positive whole number, not '" + v + "'.");
	}

	public LoadOptions withTags(String... t) { return new LoadOptions(t, signatureKey, allowUnsafeOps, zipMaxBytes, zipMaxEntries); }
	public LoadOptions withSignature(String key) { return new LoadOptions(tags, key, allowUnsafeOps, zipMaxBytes, zipMaxEntries); }
	public LoadOptions withUnsafeOpsAllowed(boolean allow) { return new LoadOptions(tags, signatureKey, allow, zipMaxBytes, zipMaxEntries); }

	/** Limits for extracting a zipped model (both positive). */
	public LoadOptions withZipLimits(long maxBytes, int maxEntries) {
		if (maxBytes <= 0 || maxEntries <= 0) {
			throw new IllegalArgumentException("Zip limits must be positive: " + maxBytes + " bytes, " + maxEntries + " entries.");
		}
		return new LoadOptions(tags, signatureKey, allowUnsafeOps, maxBytes, maxEntries);
	}

	@Override
	public boolean equals(Object o) {
		if (!(o instanceof LoadOptions)) return false;
		LoadOptions l = (LoadOptions) o;
		return Arrays.equals(tags, l.tags) && Objects.equals(signatureKey, l.signatureKey) && allowUnsafeOps == l.allowUnsafeOps &&
			zipMaxBytes == l.zipMaxBytes && zipMaxEntries == l.zipMaxEntries;
	}

	@Override
	public int hashCode() {
		return Objects.hash(Arrays.hashCode(tags), signatureKey, allowUnsafeOps, zipMaxBytes, zipMaxEntries);
	}

	@Override
	public String toString() {
		return "tags=" + Arrays.toString(tags) + " signature=" + signatureKey + " allowUnsafeOps=" + allowUnsafeOps +
			(zipMaxBytes > 0 || zipMaxEntries > 0 ? " zipMaxBytes=" + zipMaxBytes + " zipMaxEntries=" + zipMaxEntries : "");
	}
}
