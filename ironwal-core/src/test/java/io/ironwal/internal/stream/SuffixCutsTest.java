package io.ironwal.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SuffixCuts} against the obvious model (every cut kept in a list): the lowest cut after
 * any mark is exact while nothing was folded, and never higher than exact once old cuts were.
 */
class SuffixCutsTest {

  private static long model(List<Long> all, long seen) {
    long min = Long.MAX_VALUE;
    for (int i = (int) seen; i < all.size(); i++) {
      min = Math.min(min, all.get(i));
    }
    return min;
  }

  @Test
  void theLowestCutSinceAnyMarkIsExact() {
    long seed = Long.getLong("ironwal.seed", System.nanoTime());
    System.out.println("SuffixCutsTest seed " + seed + " (replay: -Dironwal.seed=" + seed + ")");
    Random rnd = new Random(seed);
    SuffixCuts cuts = new SuffixCuts();
    List<Long> all = new ArrayList<>();
    assertThat(cuts.lowestSince(0)).isEqualTo(Long.MAX_VALUE);
    for (int i = 0; i < 3000; i++) {
      // Mostly rising cuts with drops now and then, as a follower's log sees them.
      long cut = rnd.nextInt(4) == 0 ? rnd.nextInt(1000) : 1000 + i * 3L + rnd.nextInt(5);
      cuts.record(cut);
      all.add(cut);
      assertThat(cuts.count()).isEqualTo(all.size());
      for (int q = 0; q < 5; q++) {
        long seen = rnd.nextInt(all.size() + 1);
        assertThat(cuts.lowestSince(seen)).as("seed %d, after %d cuts, since %d", seed,
            all.size(), seen).isEqualTo(model(all, seen));
      }
    }
  }

  @Test
  void foldedCutsOnlyEverMakeTheAnswerLower() {
    SuffixCuts cuts = new SuffixCuts();
    List<Long> all = new ArrayList<>();
    int n = SuffixCuts.MAX_KEPT + 1000;
    for (int i = 0; i < n; i++) {
      cuts.record(10L * i);
      all.add(10L * i);
    }
    for (long seen = 0; seen <= n; seen++) {
      long exact = model(all, seen);
      long got = cuts.lowestSince(seen);
      assertThat(got).as("since %d", seen).isLessThanOrEqualTo(exact);
      if (seen >= n - SuffixCuts.MAX_KEPT) {
        assertThat(got).as("since %d (kept)", seen).isEqualTo(exact);
      }
    }
  }
}
