package org.convlens.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's shape rules on {@code src/main/java}, in every {@code mvn verify}: no class over 400 lines
 * unless its javadoc says why, SciJava commands of about 120 lines, no block of six or more lines standing
 * in two places. The synthetic cases show each rule failing.
 */
class CodeShapeTest {

	/** Known exceptions, as exact report lines; each needs a comment saying why. */
	private static final Set<String> ALLOWED = Set.of();

	private static List<CodeShape.Source> main;

	@BeforeAll
	static void read() {
		Path root = Paths.get("src", "main", "java");
		assertTrue(Files.isDirectory(root), "run from the repository root: " + root.toAbsolutePath() + " is missing");
		main = CodeShape.read(root);
		assertTrue(main.size() > 100, "too few sources read: " + main.size());
	}

	@Test
	void noClassOver400LinesUnlessJustified() {
		assertNone("classes over " + CodeShape.MAX_CLASS_LINES + " lines without '" + CodeShape.JUSTIFIED
			+ "' in their javadoc", CodeShape.longClasses(main));
	}

	@Test
	void commandsAreThin() {
		assertTrue(CodeShape.commandCount(main) >= 12, "fewer than the 12 commands found: is the pattern broken?");
		assertNone("SciJava command classes over " + CodeShape.MAX_COMMAND_LINES + " lines", CodeShape.longCommands(main));
	}

	@Test
	void noDuplicatedBlocks() {
		assertNone("blocks of " + CodeShape.MIN_DUPLICATE_LINES + "+ lines in two places", CodeShape.duplicates(main));
	}

	@Test
	void aLongClassFailsUnlessItsJavadocSaysWhy() {
		List<String> body = lines(450, i -> "\tint f" + i + " = " + i + ";");
		CodeShape.Source plain = source("a/Long.java", "/** A thing. */", body);
		CodeShape.Source justified = source("a/Ok.java", "/** One algorithm: longer than 400 lines because it is one loop. */", body);
		List<String> found = CodeShape.longClasses(List.of(plain, justified));
		assertEquals(List.of("a/Long.java: " + plain.lines.size() + " lines"), found);
	}

	@Test
	void aLongCommandFails() {
		List<String> head = new ArrayList<>(List.of("@Plugin(type = Command.class, menuPath = \"x\")", "public class C {"));
		head.addAll(lines(140, i -> "\tint f" + i + " = " + i + ";"));
		head.add("}");
		CodeShape.Source command = new CodeShape.Source("c/C.java", head);
		CodeShape.Source notCommand = new CodeShape.Source("c/D.java", head.subList(1, head.size()));
		assertEquals(List.of("c/C.java: " + head.size() + " lines"), CodeShape.longCommands(List.of(command, notCommand)));
		assertEquals(1, CodeShape.commandCount(List.of(command, notCommand)));
	}

	@Test
	void aRepeatedBlockIsFoundAndBoilerplateIsNot() {
		List<String> block = List.of("int a = x + 1;", "int b = a * 2;", "if (b > 3) b = 3;", "double c = Math.sqrt(b);",
			"c += a;", "return c;", "System.out.println(c);");
		List<String> one = new ArrayList<>(List.of("class One {", "void f() {"));
		one.addAll(block);
		one.add("}}");
		List<String> two = new ArrayList<>(List.of("class Two {", "// other", "void g() {", "int unrelated = 9;"));
		two.addAll(block);
		two.add("}}");
		List<String> found = CodeShape.duplicates(List.of(new CodeShape.Source("One.java", one), new CodeShape.Source("Two.java", two)));
		assertEquals(List.of("One.java:3-9 = Two.java:5-11"), found);

		List<String> params = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			params.add("@Parameter(label = \"L" + i + "\")");
			params.add("private String p" + i + ";");
		}
		assertEquals(List.of(), CodeShape.duplicates(List.of(new CodeShape.Source("P.java", params),
			new CodeShape.Source("Q.java", params))), "parameter declarations are boilerplate");

		List<String> five = new ArrayList<>(block.subList(0, 5));
		assertEquals(List.of(), CodeShape.duplicates(List.of(new CodeShape.Source("F.java", five),
			new CodeShape.Source("G.java", five))), "five lines are under the limit");
	}

	private static CodeShape.Source source(String name, String javadoc, List<String> body) {
		List<String> l = new ArrayList<>(List.of(javadoc, "class X {"));
		l.addAll(body);
		l.add("}");
		return new CodeShape.Source(name, l);
	}

	private static List<String> lines(int n, java.util.function.IntFunction<String> line) {
		List<String> out = new ArrayList<>();
		for (int i = 0; i < n; i++) out.add(line.apply(i));
		return Collections.unmodifiableList(out);
	}

	private static void assertNone(String what, List<String> found) {
		List<String> left = new ArrayList<>(found);
		left.removeAll(ALLOWED);
		assertEquals(List.of(), left, what + ":\n  " + String.join("\n  ", left));
	}
}
