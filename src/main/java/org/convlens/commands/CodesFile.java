package org.convlens.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.imagej.ExactTables;
import org.convlens.model.ModelInfo;

/**
 * Reads CNN codes back from a CSV, for {@code embedding --codes FILE}: the full-precision table
 * of {@code codes} in a shard or {@code merge} output ({@code *_codes.exact.csv}: file, label,
 * predicted class name, confidence, c0, c1, ...) or the file of the {@code csv=} option (index,
 * name, label, predicted, predicted_name, confidence, c0, ...). ImageJ's own {@code *_codes.csv}
 * holds three decimals only and is refused.
 */
final class CodesFile {

	private CodesFile() {}

	static CodeCollector read(Path file, ModelInfo info) {
		if (!Files.isRegularFile(file)) throw new IllegalArgumentException("No such codes file: " + file);
		ExactTables.Table t;
		try {
			t = ExactTables.read(file);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("Cannot read the codes file " + file + ": " + e.getMessage(), e);
		}
		int name = t.column("file") >= 0 ? t.column("file") : t.column("name");
		int label = t.column("label"), pred = t.column("predicted"), predName = t.column("predicted_name"), conf = t.column("confidence");
		int c0 = t.column("c0");
		if (name < 0 || pred < 0 || conf < 0 || c0 < 0) {
			throw new IllegalArgumentException(file + " is not a codes table (needs file, predicted, confidence, c0, c1, ... columns); use the " +
				ExactTables.SUFFIX + " file that codes or merge writes.");
		}
		if (predName < 0 && !file.getFileName().toString().endsWith(ExactTables.SUFFIX)) {
			throw new IllegalArgumentException(file + " holds codes rounded to a few decimals; use the full-precision " + ExactTables.SUFFIX + " file beside it.");
		}
		int dim = t.headings.size() - c0;
		CodeCollector rows = new CodeCollector();
		int k = 0;
		for (ExactTables.Cell[] r : t.rows) {
			float[] code = new float[dim];
			for (int i = 0; i < dim; i++) code[i] = (float) r[c0 + i].number;
			int p;
			String pn;
			if (predName >= 0) {
				p = (int) r[pred].number;
				pn = r[predName].toString();
			}
			else {
				pn = r[pred].toString();
				p = -1;
				for (int c = 0; c < Math.max(info.singleSigmoid() ? 2 : 0, info.numClasses()); c++) if (info.predictedName(c).equals(pn)) p = c;
			}
			String lab = label < 0 || r[label].toString().isEmpty() ? null : r[label].toString();
			rows.accept(new CnnCodes.Row(k++, r[name].toString(), lab, p, pn, (float) r[conf].number, code));
		}
		if (rows.size() == 0) throw new IllegalArgumentException("The codes file " + file + " has no rows.");
		return rows;
	}
}
