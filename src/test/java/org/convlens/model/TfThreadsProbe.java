package org.convlens.model;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

/**
 * Run in its own JVM by {@link TfThreadsTest}: opens a model, runs it once and prints the setting
 * in effect and how many of the process's threads carry the bare name TensorFlow's native pool
 * threads get ("java"), or the one-line error a bad setting gives.
 */
public final class TfThreadsProbe {

	public static void main(String[] args) throws Exception {
		try (ConvModel m = Models.open(Paths.get(args[0]))) {
			int[] s = m.info().imageInput().shape().clone();
			s[0] = 4;
			for (int i = 1; i < s.length; i++) if (s[i] <= 0) s[i] = 32;
			m.run(NdArray.zeros(s), List.of(ConvModel.LOGITS));
			int bare = 0;
			for (String t : new File("/proc/self/task").list()) {
				if (Files.readString(Paths.get("/proc/self/task", t, "comm")).trim().equals("java")) bare++;
			}
			System.out.println("in effect " + TfThreads.inEffect() + ", bare threads " + bare);
		}
		catch (ModelException e) {
			System.out.println("error: " + e.getMessage());
		}
		System.exit(0);
	}
}
