package org.convlens.model;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Properties;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Finds ConvLens's TensorFlow Java jars and loads the TensorFlow-facing code
 * ({@code org.convlens.model.tf}) in a child-first class loader over exactly those jars, so that
 * other {@code org.tensorflow} classes on the class path (Fiji's TF 1.15 update sites) cannot
 * clash with them. Set {@code -Dconvlens.tf.isolation=off} to use the ordinary class path.
 */
public final class TfRuntime {

	private static final Logger LOG = Logger.getLogger(TfRuntime.class.getName());
	private static final String FACTORY = "org.convlens.model.tf.TfModelFactory";
	private static final String[] ISOLATED = { "org.tensorflow.", "org.bytedeco.", "com.google.protobuf.",
		"org.convlens.model.tf." };

	private static ModelFactory factory;
	private static String mode;

	private TfRuntime() {}

	/** The factory, created once per JVM: native libraries can be bound to one class loader only. */
	public static synchronized ModelFactory factory() {
		if (factory == null) {
			String setting = System.getProperty("convlens.tf.isolation", "auto");
			ClassLoader loader;
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
					LOG.warning("ConvLens: using TensorFlow from the class path (" + e.getMessage() + ")");
					loader = TfRuntime.class.getClassLoader();
					mode = "class path";
				}
			}
			try {
				factory = (ModelFactory) Class.forName(FACTORY, true, loader).getDeclaredConstructor().newInstance();
			}
			catch (ReflectiveOperationException | LinkageError e) {
				throw new ModelException("Cannot start TensorFlow (" + mode + "): " + e, e);
			}
		}
		return factory;
	}

	/** {@code isolated} or {@code class path}, once {@link #factory()} ran. */
	public static synchronized String mode() {
		return mode;
	}

	static ClassLoader isolatedLoader() {
		Properties p = new Properties();
		try (InputStream in = TfRuntime.class.getResourceAsStream("tf-runtime.properties")) {
			if (in == null) throw new IllegalStateException("tf-runtime.properties missing from the ConvLens jar");
			p.load(in);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
		List<Path> candidates = candidateFiles();
		List<URL> urls = new ArrayList<>();
		List<String> missing = new ArrayList<>();
		for (String jar : p.getProperty("jars").split(",")) {
			Path f = find(candidates, jar.trim(), false);
			if (f == null) missing.add(jar);
			else urls.add(url(f));
		}
		Path nat = find(candidates, p.getProperty("native.prefix") + platform(), true);
		if (nat == null) missing.add(p.getProperty("native.prefix") + platform() + ".jar");
		else urls.add(url(nat));
		if (!missing.isEmpty()) throw new IllegalStateException("jars not found: " + missing);
		// our own classes (a jar or target/classes), for org.convlens.model.tf
		urls.add(TfRuntime.class.getProtectionDomain().getCodeSource().getLocation());
		return new ChildFirstLoader(urls.toArray(new URL[0]), TfRuntime.class.getClassLoader());
	}

	/** javacpp's platform names, e.g. linux-x86_64, macosx-arm64, windows-x86_64. */
	static String platform() {
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

	private static Path find(List<Path> files, String name, boolean prefix) {
		for (Path f : files) {
			String n = f.getFileName() == null ? "" : f.getFileName().toString();
			if (prefix ? n.startsWith(name) && n.endsWith(".jar") : n.equals(name)) {
				if (Files.isRegularFile(f)) return f;
			}
		}
		return null;
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
