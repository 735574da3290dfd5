package org.convlens.explain.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Pass counts said up front; the Log hears of long runs only; status messages gain the time left. No timing asserted. */
class PassEstimateTest {

	@Test
	void passesAndCallsAreSaidUpFrontAndLongRunsLogged() {
		List<String> log = new ArrayList<>(), status = new ArrayList<>();
		Progress p = new Progress() {
			@Override
			public void update(double fraction, String message) {
				status.add(message);
			}

			@Override
			public boolean isCancelled() {
				return false;
			}
		};
		PassEstimate small = new PassEstimate("Score-CAM", 64, 32, log::add);
		assertEquals(2, small.calls());
		assertFalse(small.isLong());
		small.announce(p);
		assertEquals("Score-CAM: 64 model passes in 2 calls of up to 32", status.get(0));
		assertTrue(log.isEmpty(), "a short run is not logged");
		PassEstimate big = new PassEstimate("Score-CAM", 3 * 2048, 32, log::add);
		assertEquals(192, big.calls());
		assertTrue(big.isLong());
		big.announce(p);
		assertEquals(1, log.size());
		assertTrue(log.get(0).startsWith("Score-CAM: 6144 model passes in 192 calls"), log.get(0));
		// after the first batch the status line carries the time left, and the estimate is known
		Progress t = big.track(p);
		t.update(0.25, "Score-CAM: 1/4");
		assertTrue(status.get(status.size() - 1).matches("Score-CAM: 1/4 \\(about \\d+ s left\\)"), status.get(status.size() - 1));
		assertTrue(big.seconds() >= 0);
		assertTrue(big.describe().contains("timed on the first batch"), big.describe());
	}
}
