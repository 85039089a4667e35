package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Planted violations for the harness's per-peer check: a duplicated entry (what a retry that
 * appended twice would leave), a lost acknowledged entry and an entry at the wrong id must each
 * fail the check; the honest peer passes.
 */
class AckLogTest {

  private static AckLog.PageReader peer(String... payloads) {
    List<LocalEntry> all = new ArrayList<>();
    for (int i = 0; i < payloads.length; i++) {
      all.add(new LocalEntry(i, 1, i + 1, payloads[i].getBytes(UTF_8)));
    }
    return (stream, from, max) -> from >= all.size() ? List.of()
        : all.subList((int) from, (int) Math.min(all.size(), from + max));
  }

  private static AckLog acked() {
    AckLog acks = new AckLog();
    acks.ack("s", 0, "a");
    acks.ack("s", 1, "b");
    return acks;
  }

  @Test
  void anHonestPeerPasses() {
    assertThatCode(() -> acked().checkPeer("p", peer("a", "b", "unacknowledged-but-committed")))
        .doesNotThrowAnyException();
  }

  @Test
  void aDuplicatedEntryIsCaught() {
    assertThatThrownBy(() -> acked().checkPeer("p", peer("a", "b", "b")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("appears twice");
  }

  @Test
  void aLostAcknowledgedEntryIsCaught() {
    assertThatThrownBy(() -> acked().checkPeer("p", peer("a")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("missing");
  }

  @Test
  void anEntryAtTheWrongIdIsCaught() {
    assertThatThrownBy(() -> acked().checkPeer("p", peer("b", "a")))
        .isInstanceOf(AssertionError.class);
  }
}
