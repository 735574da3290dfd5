package org.convlens.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;


import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCsvWriter;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.ShapeFiles;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;

/**
 * Extracts CNN codes (streamed to a CSV file) for N and for 10 N images, each in a fresh JVM with
 * the same heap setting, and prints for each, as the median of R runs: the peak heap (all heap
 * pools, garbage not yet collected included), the peak heap after each collection (the live heap
 * at its largest, from the collectors' notifications) and the peak resident memory of the process
 * (VmHWM) of an undisturbed run, and the retained heap (after full collections forced during a
 * second run), then the 10 N / N ratios (goal: at most 1.2). Not a test: {@code mvn -q
 * test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.convlens.bench.DatasetMemoryBenchmark [-Dexec.args="N MODEL R"]} (default
 * 1000 images, test-data/models/shapes-keras, 2 runs).
 */
public final class DatasetMemoryBenchmark {

	/** Heap of each measuring JVM, the same for both sizes; {@code -Dconvlens.bench.jvm="..."} replaces it. */
	static final String[] HEAP = System.getProperty("convlens.bench.jvm", "-Xmx512m").trim().split("\\s+");

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("--child")) {
			child(Paths.get(args[1]), Paths.get(args[2]));
			return;
		}
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
		Path modelDir = Paths.get(args.length > 1 ? args[1] : "test-data/models/shapes-keras").toAbsolutePath();
		int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
		Path tmp = Files.createTempDirectory("convlens-membench");
		try {
			ShapeFiles.write(tmp.resolve("small"), (n + 2) / 3, 32, 5);
			ShapeFiles.write(tmp.resolve("big"), (10 * n + 2) / 3, 32, 5);
			// each size in a fresh JVM: peak resident memory cannot be reset reliably within one;
			// sizes alternate so that a busy spell of the machine does not hit one size only
			List<long[]> smalls = new ArrayList<>(), bigs = new ArrayList<>();
			for (int r = 0; r < runs; r++) {
				smalls.add(fork(modelDir, tmp.resolve("small")));
				bigs.add(fork(modelDir, tmp.resolve("big")));
			}
			long[] small = median(smalls), big = median(bigs);
			System.out.printf("model %s, codes streamed to CSV, each size in a fresh JVM (%s), median of %d runs%n", modelDir,
				String.join(" ", HEAP), runs);
			String[] what = { "peak heap (with garbage)", "retained heap (full GC)", "peak resident (VmHWM)", "", "peak heap after each GC" };
			System.out.printf("%-26s %12s %12s %8s%n", "", small[3] + " images", big[3] + " images", "ratio");
			for (int i : new int[] { 4, 1, 2, 0 }) {
				System.out.printf("%-26s %9.1f MB %9.1f MB %8.2f%n", what[i], small[i] / 1048576.0, big[i] / 1048576.0,
					(double) big[i] / small[i]);
			}
			System.out.printf("collections during the measured run: %d and %d%n", small[5], big[5]);
			if (small[5] == 0 || big[5] == 0) {
				System.out.println("(a run without a collection has, as its heap after GC, the heap after the full collection at its end:" +
					" lower than after a young collection, which leaves the old generation's garbage; compare with the retained heap)");
			}
			for (int r = 0; r < runs; r++) {
				System.out.printf("run %d: peak heap with garbage %.1f / %.1f MB, VmHWM %.1f / %.1f MB%n", r + 1,
					smalls.get(r)[0] / 1048576.0, bigs.get(r)[0] / 1048576.0, smalls.get(r)[2] / 1048576.0, bigs.get(r)[2] / 1048576.0);
			}
			// the two measures of what the extraction keeps; the peaks with garbage follow G1's young
			// generation, which a run too short to fill it never shows (README, dataset views)
			System.out.printf("goal <= 1.20: retained heap %.2f, peak resident %.2f (peak heap with garbage and after young collections: for information)%n",
				(double) big[1] / small[1], (double) big[2] / small[2]);
		}
		finally {
			try (Stream<Path> s = Files.walk(tmp)) {
				s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

	/** The median of each figure (the mean of the middle two for an even count). */
	private static long[] median(List<long[]> runs) {
		long[] m = new long[runs.get(0).length];
		for (int i = 0; i < m.length; i++) {
			int k = i;
			long[] v = runs.stream().mapToLong(r -> r[k]).sorted().toArray();
			m[i] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
		}
		return m;
	}

	private static long[] fork(Path model, Path dir) throws Exception {
		StringBuilder cp = new StringBuilder();
		ClassLoader cl = Thread.currentThread().getContextClassLoader();
		if (cl instanceof java.net.URLClassLoader) {
			for (java.net.URL u : ((java.net.URLClassLoader) cl).getURLs()) {
				cp.append(cp.length() == 0 ? "" : java.io.File.pathSeparator).append(Paths.get(u.toURI()));
			}
		}
		else cp.append(System.getProperty("java.class.path"));
		Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
		List<String> cmd = new ArrayList<>(List.of(java.toString()));
		cmd.addAll(List.of(HEAP));
		cmd.addAll(List.of("-cp", cp.toString(), DatasetMemoryBenchmark.class.getName(), "--child", model.toString(), dir.toString()));
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		long[] result = null;
		try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
			for (String l; (l = r.readLine()) != null;) {
				if (l.startsWith("RESULT ")) {
					String[] f = l.substring(7).split(" ");
					result = Arrays.stream(f).mapToLong(Long::parseLong).toArray();
				}
			}
		}
		if (p.waitFor() != 0 || result == null) throw new IllegalStateException("The measuring JVM failed for " + dir);
		return result;
	}

	/** In the measuring JVM: a warm-up on the first 64 images, then the whole folder. */
	private static void child(Path modelDir, Path dir) throws Exception {
		Path csv = Files.createTempFile("convlens-codes", ".csv");
		try (ConvModel m = Models.open(modelDir)) {
			ImageSource warm = ImageSource.of("warm-up", firstEntries(DatasetSources.folder(dir, true, true), 64));
			try (CodeCsvWriter w = new CodeCsvWriter(csv)) {
				new CnnCodes(m).extract(warm, new DatasetRunner(m, null), null, w);
			}
			long[] r = measure(m, dir, csv);
			System.out.println("RESULT " + Arrays.stream(r).mapToObj(Long::toString).collect(Collectors.joining(" ")));
		}
		finally {
			Files.deleteIfExists(csv);
		}
	}

	private static java.util.List<ImageSource.Entry> firstEntries(ImageSource s, int n) {
		java.util.List<ImageSource.Entry> l = new java.util.ArrayList<>();
		for (ImageSource.Entry e : s) {
			if (l.size() == n) break;
			l.add(e);
		}
		return l;
	}

	private static DatasetReport run(ConvModel m, Path dir, Path csv) throws Exception {
		try (CodeCsvWriter w = new CodeCsvWriter(csv)) {
			return new CnnCodes(m).extract(DatasetSources.folder(dir, true, true), new DatasetRunner(m, null).batchSize(32), null, w);
		}
	}

	/**
	 * {peak heap, retained heap, peak RSS, images, peak heap after GC, collections}, from two passes
	 * over the folder. The first runs undisturbed: its peak heap (read from the pools, garbage not
	 * yet collected included) and peak resident memory are what a user sees; its peak heap after
	 * each collection is what the run keeps alive at its largest, without the garbage that the
	 * collector's heap sizing lets pile up. The second forces a full collection at each
	 * quarter of the run, while batches are in flight: the largest heap left is what the
	 * extraction keeps.
	 */
	private static long[] measure(ConvModel m, Path dir, Path csv) throws Exception {
		System.gc();
		AfterGc afterGc = new AfterGc();
		for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
		resetPeakRss();
		DatasetReport r;
		try (CodeCsvWriter w = new CodeCsvWriter(csv)) {
			r = new CnnCodes(m).extract(DatasetSources.folder(dir, true, true), new DatasetRunner(m, null).batchSize(32), null, w);
		}
		long peak = heapPeak();
		long rss = peakRss();
		long[] live = afterGc.stop();

		ImageSource src = DatasetSources.folder(dir, true, true);
		int quarter = Math.max(1, src.size() / 4);
		AtomicLong retained = new AtomicLong();
		try (CodeCsvWriter w = new CodeCsvWriter(csv)) {
			new CnnCodes(m).extract(src, new DatasetRunner(m, null).batchSize(32), null, row -> {
				w.accept(row);
				if ((row.index() + 1) % quarter == 0) {
					System.gc();
					retained.accumulateAndGet(heapUsed(), Math::max);
				}
			});
		}
		return new long[] { peak, retained.get(), rss, r.processed(), live[0], live[1] };
	}

	/**
	 * The largest heap in use right after a collection (all heap pools), over the collections
	 * that start after this object: from the collectors' notifications, which arrive on a JVM
	 * thread shortly after each collection.
	 */
	private static final class AfterGc implements javax.management.NotificationListener {
		private final long since = ManagementFactory.getRuntimeMXBean().getUptime();
		private final java.util.Set<String> heapPools = new java.util.HashSet<>();
		private final AtomicLong peak = new AtomicLong(), count = new AtomicLong();

		AfterGc() {
			for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) heapPools.add(p.getName());
			for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
				((javax.management.NotificationEmitter) gc).addNotificationListener(this, null, null);
			}
		}

		@Override
		public void handleNotification(javax.management.Notification n, Object handback) {
			if (!n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
			com.sun.management.GcInfo info = com.sun.management.GarbageCollectionNotificationInfo
				.from((javax.management.openmbean.CompositeData) n.getUserData()).getGcInfo();
			if (info.getStartTime() < since) return; // the collection before the run
			long used = 0;
			for (java.util.Map.Entry<String, java.lang.management.MemoryUsage> e : info.getMemoryUsageAfterGc().entrySet()) {
				if (heapPools.contains(e.getKey())) used += e.getValue().getUsed();
			}
			peak.accumulateAndGet(used, Math::max);
			count.incrementAndGet();
		}

		/**
		 * {peak heap after a collection, collections during the run}; waits briefly for
		 * notifications still under way. A run short enough to need no collection would have no
		 * figure: a collection forced at its end (counted in the peak, not in the collections)
		 * gives every run one, what the run left alive.
		 */
		long[] stop() throws Exception {
			Thread.sleep(300);
			long during = count.get();
			System.gc();
			Thread.sleep(300);
			for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
				((javax.management.NotificationEmitter) gc).removeNotificationListener(this);
			}
			return new long[] { peak.get(), during };
		}
	}

	private static long heapPeak() {
		long peak = 0;
		for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
			if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
		}
		return peak;
	}

	private static long heapUsed() {
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** Linux: writing 5 to clear_refs resets the peak resident set size. */
	private static void resetPeakRss() {
		try {
			Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
		}
		catch (Exception e) {
			System.out.println("(cannot reset the peak resident size: " + e.getMessage() + ")");
		}
	}

	private static long peakRss() throws Exception {
		for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
			if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
		}
		return -1;
	}
}
