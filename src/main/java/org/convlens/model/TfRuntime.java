package org.convlens.model;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Finds ConvLens's TensorFlow Java jars and loads the TensorFlow-facing code
 * ({@code org.convlens.model.tf}) in a child-first class loader over exactly those jars, so that
 * other {@code org.tensorflow}, protobuf or JavaCPP classes on the class path (Fiji's protobuf 4.x
 * and JavaCPP 1.5.10, TF 1.15 update sites) cannot clash with them. The jars are recognised by
 * their content ({@link TfJars}), first in the private folder {@code lib/convlens/tf} of the
 * ImageJ/Fiji installation that holds ConvLens's jar (where the installer puts them, off Fiji's
 * class path), else on the class path (development, Maven). Set
 * {@code -Dconvlens.tf.isolation=off} to use the ordinary class path, {@code -Dconvlens.tf.dir=DIR}
 * to name the folder. TensorFlow's native logging stays off unless asked for ({@link NativeLogs}).
 */
public final class TfRuntime {

	private static final Logger LOG = Logger.getLogger(TfRuntime.class.getName());
	private static final String FACTORY = "org.convlens.model.tf.TfModelFactory";
	private static final String WARMUP = "org.convlens.model.tf.TfWarmup";
	private static final String[] ISOLATED = { "org.tensorflow.", "org.bytedeco.", "com.google.protobuf.",
		"org.convlens.model.tf." };

	private static ModelFactory factory;
	private static String mode;
	private static List<Path> jars;

	private TfRuntime() {}

	/** The factory, created once per JVM: native libraries can be bound to one class loader only. */
	public static synchronized ModelFactory factory() {
		if (factory == null) {
			int threads = TfThreads.requested(); // a bad value is refused before anything starts
			String setting = System.getProperty("convlens.tf.isolation", "auto");
			ClassLoader loader;
			String isolationProblem = null;
			if (setting.equals("off")) {
				loader = TfRuntime.class.getClassLoader();
				mode = "class path";
			}
			else {
				try {
					loader = isolatedLoader();
					mode = "isolated";
				}
				catch (RuntimeException e) {
					if (setting.equals("on")) throw new ModelException("Cannot isolate TensorFlow: " + e.getMessage(), e);
					isolationProblem = e.getMessage();
					loader = TfRuntime.class.getClassLoader();
					mode = "class path";
				}
			}
			if (isolationProblem != null) {
				// the fallback only helps where the class path has TensorFlow (exec:java, IDEs); else say what is missing
				try {
					for (String c : new String[] { "org.tensorflow.Session", "org.tensorflow.exceptions.TensorFlowException",
						"com.google.protobuf.Message", "org.bytedeco.javacpp.Loader" }) Class.forName(c, false, loader);
				}
				catch (ClassNotFoundException | LinkageError e) {
					mode = null;
					throw new ModelException("Cannot start TensorFlow: " + isolationProblem, e);
				}
				LOG.warning("ConvLens: using TensorFlow from the class path (" + isolationProblem + ")");
			}
			ClassLoader tfLoader = loader;
			try {
				factory = NativeLogs.whileLoading(() -> {
					ModelFactory f = (ModelFactory) Class.forName(FACTORY, true, tfLoader).getDeclaredConstructor().newInstance();
					if (NativeLogs.quiet()) warmUp(tfLoader);
					return f;
				});
				TfThreads.started(threads);
			}
			catch (ReflectiveOperationException | LinkageError e) {
				// an installation without its private runtime: say that, not which class the class path lacks
				if (isolationProblem != null) throw new ModelException("Cannot start TensorFlow: " + isolationProblem, e);
				throw new ModelException("Cannot start TensorFlow (" + mode + "): " + e, e);
			}
			catch (RuntimeException e) {
				throw e;
			}
			catch (Exception e) {
				throw new ModelException("Cannot start TensorFlow (" + mode + "): " + e, e);
			}
		}
		return factory;
	}

	/** Loads the native library and spends TensorFlow's one-time log lines (see {@link NativeLogs}). */
	private static void warmUp(ClassLoader loader) {
		try {
			Class.forName(WARMUP, true, loader).getMethod("run").invoke(null);
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
			// the real model load reports any real problem
			LOG.fine("ConvLens: TensorFlow warm-up failed: " + e);
		}
	}

	/** {@code isolated} or {@code class path}, once {@link #factory()} ran. */
	public static synchronized String mode() {
		return mode;
	}

	static ClassLoader isolatedLoader() {
		List<Path> privateDirs = privateFolders();
		List<Path> candidates = new ArrayList<>();
		for (Path d : privateDirs) candidates.addAll(TfJars.jarsIn(d));
		candidates.addAll(candidateFiles());
		Map<String, Path> found = TfJars.find(candidates, platform());
		List<String> missing = new ArrayList<>();
		for (String role : TfJars.required()) {
			if (!found.containsKey(role)) missing.add(role.equals("native") ? TfJars.nativeCoordinates() + " for " + platform() : role);
		}
		if (!missing.isEmpty()) {
			throw new IllegalStateException("TensorFlow runtime incomplete, missing " + missing + " (looked in " +
				(privateDirs.isEmpty() ? "no " + TfJars.PRIVATE_FOLDER + " folder" : privateDirs.toString()) +
				" and the class path); reinstall ConvLens: java -jar ConvLens_.jar <ImageJ or Fiji.app folder>");
		}
		List<URL> urls = new ArrayList<>();
		for (Path f : found.values()) urls.add(url(f));
		// our own classes (a jar or target/classes), for org.convlens.model.tf
		urls.add(TfRuntime.class.getProtectionDomain().getCodeSource().getLocation());
		jars = new ArrayList<>(found.values());
		return new ChildFirstLoader(urls.toArray(new URL[0]), TfRuntime.class.getClassLoader());
	}

	/**
	 * Where the isolated runtime's jars are (one folder, or several separated by ';'), once
	 * {@link #factory()} ran isolated; else its mode. A String for macros: {@code call("org.convlens.model.TfRuntime.source")}.
	 */
	public static synchronized String source() {
		if (jars == null || jars.isEmpty()) return mode == null ? "not started" : mode;
		return jars.stream().map(p -> String.valueOf(p.toAbsolutePath().getParent())).distinct().collect(java.util.stream.Collectors.joining(";"));
	}

	/** The jars the isolated runtime uses, once {@link #factory()} ran isolated (else empty). */
	public static synchronized List<Path> jars() {
		return jars == null ? List.of() : List.copyOf(jars);
	}

	/**
	 * Existing private runtime folders: {@code -Dconvlens.tf.dir}, then {@link TfJars#PRIVATE_FOLDER}
	 * under the folders above ConvLens's own jar (plugins/ConvLens_.jar, jars/…, a subfolder of
	 * plugins/), then under {@code imagej.dir} / {@code ij.dir}.
	 */
	static List<Path> privateFolders() {
		Set<Path> dirs = new LinkedHashSet<>();
		String prop = System.getProperty("convlens.tf.dir");
		if (prop != null && !prop.isEmpty()) dirs.add(Paths.get(prop));
		Path own = ownLocation();
		if (own != null) {
			Path d = Files.isDirectory(own) ? own : own.getParent();
			for (int i = 0; i < 3 && d != null; i++, d = d.getParent()) dirs.add(d.resolve(TfJars.PRIVATE_FOLDER));
		}
		for (String key : new String[] { "imagej.dir", "ij.dir" }) {
			String v = System.getProperty(key);
			if (v != null && !v.isEmpty()) dirs.add(Paths.get(v).resolve(TfJars.PRIVATE_FOLDER));
		}
		List<Path> out = new ArrayList<>();
		for (Path d : dirs) if (Files.isDirectory(d)) out.add(d.toAbsolutePath().normalize());
		return out;
	}

	private static Path ownLocation() {
		try {
			return Paths.get(TfRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (Exception e) {
			return null;
		}
	}

	/** javacpp's platform names, e.g. linux-x86_64, macosx-arm64, windows-x86_64. */
	public static String platform() {
		String os = System.getProperty("os.name").toLowerCase();
		String arch = System.getProperty("os.arch").toLowerCase();
		String o = os.startsWith("mac") ? "macosx" : os.startsWith("windows") ? "windows" : "linux";
		String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm64" : arch;
		return o + "-" + a;
	}

	/** Class-path entries, their folders (Fiji's jars/), and where TF classes are visible from. */
	private static List<Path> candidateFiles() {
		Set<Path> files = new LinkedHashSet<>();
		Set<Path> dirs = new LinkedHashSet<>();
		for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
			if (e.isEmpty()) continue;
			Path f = Paths.get(e);
			files.add(f);
			if (f.getParent() != null) dirs.add(f.getParent());
		}
		ClassLoader[] loaders = { TfRuntime.class.getClassLoader(), Thread.currentThread().getContextClassLoader() };
		for (ClassLoader cl : loaders) {
			if (cl == null) continue;
			for (String anchor : new String[] { "org/tensorflow/ConcreteFunction.class", "org/tensorflow/proto/MetaGraphDef.class",
				"org/tensorflow/ndarray/NdArray.class", "org/tensorflow/internal/c_api/" + platform() + "/",
				"org/bytedeco/javacpp/Loader.class", "com/google/protobuf/Message.class", "org/convlens/model/TfRuntime.class" })
			{
				try {
					Enumeration<URL> en = cl.getResources(anchor);
					while (en.hasMoreElements()) {
						Path jar = jarOf(en.nextElement());
						if (jar != null) {
							files.add(jar);
							if (jar.getParent() != null) dirs.add(jar.getParent());
						}
					}
				}
				catch (IOException ignored) {
					// a loader that cannot list resources adds nothing
				}
			}
		}
		for (Path d : dirs) {
			try (var s = Files.list(d)) {
				s.filter(x -> x.toString().endsWith(".jar")).forEach(files::add);
			}
			catch (IOException | SecurityException ignored) {
				// unreadable folder: skip
			}
		}
		return new ArrayList<>(files);
	}

	private static Path jarOf(URL u) {
		String s = u.toString();
		if (!s.startsWith("jar:file:")) return null;
		try {
			return Paths.get(new URL(s.substring(4, s.indexOf("!/"))).toURI());
		}
		catch (Exception e) {
			return null;
		}
	}

	private static URL url(Path f) {
		try {
			return f.toUri().toURL();
		}
		catch (MalformedURLException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Child-first for TensorFlow's packages and our TF code; everything else from the parent. */
	private static final class ChildFirstLoader extends URLClassLoader {
		static {
			ClassLoader.registerAsParallelCapable();
		}

		ChildFirstLoader(URL[] urls, ClassLoader parent) {
			super(urls, parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (!isolated(name)) return super.loadClass(name, resolve);
			synchronized (getClassLoadingLock(name)) {
				Class<?> c = findLoadedClass(name);
				if (c == null) c = findClass(name);
				if (resolve) resolveClass(c);
				return c;
			}
		}

		private static boolean isolated(String name) {
			for (String p : ISOLATED) if (name.startsWith(p)) return true;
			return false;
		}

		@Override
		public URL getResource(String name) {
			URL u = isolated(name.replace('/', '.')) ? findResource(name) : null;
			return u != null ? u : super.getResource(name);
		}

		@Override
		public Enumeration<URL> getResources(String name) throws IOException {
			if (isolated(name.replace('/', '.'))) return findResources(name);
			return super.getResources(name);
		}
	}
}
