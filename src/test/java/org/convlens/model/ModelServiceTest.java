package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;

class ModelServiceTest {

	@TempDir
	Path tmp;

	@Test
	void cachesReloadsOnChangeAndDisposesWithTheContext() throws IOException {
		Path src = TestPaths.model("shapes-tf1");
		Path dir = tmp.resolve("m");
		try (Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = dir.resolve(src.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		Context ctx = new Context(ModelService.class);
		ModelService svc = ctx.service(ModelService.class);
		ConvModel a = svc.get(dir);
		assertSame(a, svc.get(dir.resolve(".")), "same canonical path, same model");
		assertEquals(1, svc.size());

		// a changed file means a reload; the old instance is closed
		Path labels = dir.resolve("labels.txt");
		Files.write(labels, List.of("a", "b", "c"));
		Files.setLastModifiedTime(labels, FileTime.fromMillis(System.currentTimeMillis() + 5000));
		ConvModel b = svc.get(dir);
		assertNotSame(a, b);
		assertEquals(List.of("a", "b", "c"), b.info().classNames());
		NdArray x = NdArray.zeros(1, 32, 32, 1);
		assertThrows(ModelException.class, () -> a.run(x, List.of(ConvModel.OUTPUT)));
		assertEquals(1, svc.size());

		ctx.dispose();
		assertThrows(ModelException.class, () -> b.run(x, List.of(ConvModel.OUTPUT)), "disposing the context closes models");
	}
}
