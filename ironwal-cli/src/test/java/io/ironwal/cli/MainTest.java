package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** In-process checks of the command tree: every command has help text with examples. */
class MainTest {
  private static final List<String> COMMANDS = List.of("demo", "append", "get", "cat", "streams",
      "stats", "verify", "dump", "truncate", "bench", "checkpoints", "shards");

  @Test
  void everyCommandHasHelpWithExamples() {
    for (String c : COMMANDS) {
      StringWriter out = new StringWriter();
      CommandLine cmd = Main.commandLine();
      cmd.setOut(new PrintWriter(out));
      int exit = cmd.execute(c, "--help");
      assertThat(exit).as(c).isZero();
      assertThat(out.toString()).as(c).contains("Usage: ironwal " + c).contains("Example");
    }
  }

  @Test
  void checkpointSubcommandsHaveHelp() {
    for (String c : List.of("list", "show", "compact")) {
      StringWriter out = new StringWriter();
      CommandLine cmd = Main.commandLine();
      cmd.setOut(new PrintWriter(out));
      assertThat(cmd.execute("checkpoints", c, "--help")).isZero();
      assertThat(out.toString()).contains("Usage: ironwal checkpoints " + c);
    }
  }

  @Test
  void jsonWriterEscapesAndKeepsOrder() {
    var o = Json.obj();
    o.put("b", "x\"\n\u0001");
    o.put("a", List.of(1, 2.5, true));
    o.put("n", null);
    o.put("nan", Double.NaN);
    assertThat(Json.write(o))
        .isEqualTo("{\"b\":\"x\\\"\\n\\u0001\",\"a\":[1,2.5,true],\"n\":null,\"nan\":null}");
  }

  @Test
  void entriesArePrintedAsTextOnlyWhenThatKeepsOneLine() {
    assertThat(Entries.printableUtf8("héllo\tworld".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo("héllo\tworld");
    assertThat(Entries.printableUtf8(new byte[] {'a', '\n'})).isNull();
    assertThat(Entries.printableUtf8(new byte[] {(byte) 0xff})).isNull();
  }
}
