package org.convlens;

import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of test classes that share one open demo model ({@code test-data/models/shapes-keras}) for all their tests. */
public abstract class ShapesModelTest {

	protected static ConvModel model;

	@BeforeAll
	public static void openShapesModel() {
		model = Models.open(TestPaths.model("shapes-keras"));
	}

	@AfterAll
	public static void closeShapesModel() {
		if (model != null) model.close();
		model = null;
	}
}
