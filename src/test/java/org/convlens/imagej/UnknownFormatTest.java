package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file of no format ImageJ knows (a damaged download named {@code .tif}) is refused in one line
 * and ImageJ's own "Unsupported format or file not found" message does not appear beside it on the
 * console (a folder run printed both).
 */
class UnknownFormatTest {

	@TempDir
	Path tmp;

	@Test
	void anUnknownFormatIsOneLineWithoutImageJsConsoleMessage() throws Exception {
		// with HandleExtraFileTypes (Fiji), ImageJ asks it first and may print its message: not this case
		assumeFalse(ImageFiles.plugin("HandleExtraFileTypes"), "HandleExtraFileTypes on the class path");
		byte[] bytes = new byte[4096];
		new java.util.Random(3).nextBytes(bytes);
		bytes[0] = 0; // not 'II' or 'MM': no TIFF header; binary, so not text either
		Path f = Files.write(tmp.resolve("garbage.tif"), bytes);
		PrintStream old = System.out;
		ByteArrayOutputStream buf = new ByteArrayOutputStream();
		IOException e;
		System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			e = assertThrows(IOException.class, () -> ImageFiles.open(f));
		}
		finally {
			System.setOut(old);
		}
		assertEquals("not an image format ImageJ can open", e.getMessage());
		String console = buf.toString(StandardCharsets.UTF_8);
		assertFalse(console.contains("Unsupported format"), console);
	}
}
