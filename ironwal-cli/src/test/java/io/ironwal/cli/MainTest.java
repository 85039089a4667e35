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
      "stats", "verify", "dump", "truncate", "repair", "bench", "checkpoints", "shards");

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
  void theHelpFooterHasTheExitCodeTable() {
    StringWriter out = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out));
    assertThat(cmd.execute("--help")).isZero();
    assertThat(out.toString()).contains("Exit codes:").contains("5    I/O error")
        .contains("2    usage error").contains("141");
  }

  /** An unrelated exception that happens to share a library exception's simple name. */
  static final class CheckpointNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void errorsAreMatchedByTypeNotBySimpleName() {
    assertThat(Errors.exitCode(new CheckpointNotFoundException()))
        .as("a look-alike is not a checkpoint-not-found").isEqualTo(ExitCode.INTERNAL);
    assertThat(Errors.exitCode(new io.ironwal.sharded.CheckpointNotFoundException(new byte[] {1})))
        .isEqualTo(ExitCode.NOT_FOUND);
    assertThat(Errors.exitCode(new io.ironwal.WalIoException("x"))).isEqualTo(ExitCode.IO_ERROR);
    assertThat(Errors.exitCode(new io.ironwal.InvalidArgumentException("x")))
        .isEqualTo(ExitCode.USAGE);
  }

  @Test
  void jsonKeepsEvery64BitDigit() {
    assertThat(Json.write(Json.MAX_EXACT)).isEqualTo("9007199254740991");
    assertThat(Json.write(Json.MAX_EXACT + 1)).isEqualTo("\"9007199254740992\"");
    assertThat(Json.write(Long.MIN_VALUE)).isEqualTo("\"-9223372036854775808\"");
    assertThat(Json.write(1_764_000_000_123_456_789L)).isEqualTo("\"1764000000123456789\"");
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
