package org.convlens.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The checks of {@link ArchitectureTest} on tiny synthetic sources and graphs: each rule can fail. */
class PackageGraphTest {

	@Test
	void cycleFinderReportsTheCycleAndNothingOnADag() {
		Map<String, Set<String>> dag = Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of());
		assertEquals(List.of(), PackageGraph.cycles(dag));

		Map<String, Set<String>> cyclic = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"),
			"d", Set.of(), "e", Set.of("e"));
		List<List<String>> cycles = PackageGraph.cycles(cyclic);
		assertEquals(2, cycles.size(), cycles.toString());
		assertTrue(cycles.contains(List.of("a", "b", "c", "a")), cycles.toString());
		assertTrue(cycles.contains(List.of("e", "e")), "a package naming itself is a cycle: " + cycles);
	}

	@Test
	void cycleFinderGivesAShortestCycleInsideABiggerComponent() {
		// a <-> b and b -> c -> a: one component of three, the reported cycle is a real path of it
		Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("a", "c"), "c", Set.of("a"));
		List<List<String>> cycles = PackageGraph.cycles(g);
		assertEquals(List.of(List.of("a", "b", "a")), cycles);
	}

	@Test
	void importsAndQualifiedNamesMakeEdgesButCommentsAndStringsDoNot() {
		PackageGraph g = new PackageGraph();
		g.add("A.java", "package org.convlens.explain.cam;\n"
			+ "import org.convlens.explain.core.Progress;\n"
			+ "import static org.convlens.model.ConvModel.OUTPUT;\n"
			+ "/** See {@link org.convlens.imagej.Display}. */\n"
			+ "class A { Object x = org.convlens.explain.attribution.Occlusion.class;\n"
			+ "  // org.convlens.commands.Batch\n"
			+ "  String s = \"org.convlens.commands.Batch\"; }\n");
		assertEquals(Set.of("org.convlens.explain.core", "org.convlens.model", "org.convlens.explain.attribution"),
			g.edges.get("org.convlens.explain.cam"));
		assertEquals(List.of(), g.roomArrows(), "names in comments and strings are no dependency");

		g.add("B.java", "package org.convlens.explain.core;\nclass B { Object y = org.convlens.explain.cam.A.class; }\n");
		g.add("C.java", "package org.convlens.explain.attribution;\nclass C { }\n");
		assertEquals(List.of(List.of("org.convlens.explain.cam", "org.convlens.explain.core", "org.convlens.explain.cam")),
			PackageGraph.cycles(g.edges));
	}

	@Test
	void explainNamingImageJSciJavaAwtOrSwingIsReported() {
		PackageGraph g = new PackageGraph();
		g.add("explain/A.java", "package org.convlens.explain.core;\nimport ij.ImagePlus;\nclass A {}\n");
		g.add("explain/B.java", "package org.convlens.explain.dataset;\nclass B { java.awt.Color c; Object o = net.imagej.Dataset.class; }\n");
		g.add("explain/C.java", "package org.convlens.explain.cam;\nimport javax.swing.JPanel;\nimport org.scijava.Context;\nclass C {}\n");
		g.add("explain/D.java", "package org.convlens.explain.cam;\n/** Shown by ij.ImagePlus in java.awt. */\nclass D { String s = \"ij.IJ\"; Object hij = null; }\n");
		g.add("imagej/E.java", "package org.convlens.imagej;\nimport ij.ImagePlus;\nimport java.awt.Color;\nclass E {}\n");
		assertEquals(List.of("explain/A.java: names ij.", "explain/B.java: names java.awt.", "explain/B.java: names net.imagej",
			"explain/C.java: names javax.swing.", "explain/C.java: names org.scijava."), g.explainForbidden());
	}

	@Test
	void tensorflowOutsideModelTfIsReported() {
		PackageGraph g = new PackageGraph();
		g.add("tf/A.java", "package org.convlens.model.tf;\nimport org.tensorflow.Tensor;\nclass A {}\n");
		g.add("model/B.java", "package org.convlens.model;\nclass B { Object t = org.tensorflow.Graph.class; }\n");
		g.add("imagej/C.java", "package org.convlens.imagej;\n/** Not org.tensorflow: */ class C {}\n");
		assertEquals(List.of("model/B.java: names org.tensorflow outside org.convlens.model.tf"), g.tensorflowOutsideModelTf());
	}

	@Test
	void roomArrowsGoOneWay() {
		PackageGraph g = new PackageGraph();
		g.add("M.java", "package org.convlens.model.tf;\nimport org.convlens.explain.core.Progress;\nclass M {}\n");
		g.add("E.java", "package org.convlens.explain.cam;\nimport org.convlens.model.ConvModel;\nclass E { Object c = org.convlens.commands.Batch.class; }\n");
		g.add("I.java", "package org.convlens.imagej;\nimport org.convlens.explain.core.Progress;\nimport org.convlens.commands.Batch;\nclass I {}\n");
		g.add("C.java", "package org.convlens.commands;\nimport org.convlens.imagej.Display;\nimport org.convlens.model.ConvModel;\nclass C {}\n");
		g.add("X.java", "package org.convlens.install;\nimport org.convlens.commands.Batch;\nclass X {}\n");
		assertEquals(List.of("M.java: model names explain (org.convlens.explain.core)",
			"E.java: explain names commands (org.convlens.commands)",
			"I.java: imagej names commands (org.convlens.commands)"), g.roomArrows());
	}
}
