package org.relprune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors for people: the real exceptions the libraries throw, turned into one sentence without their internals. */
class ErrorLinesTest {
    @Test
    void aLibtorchErrorLosesItsCppBacktrace() {
        String torch = "Calculated padded input size per channel: (1 x 1). Kernel size: (2 x 2). Kernel size can't be greater than actual input size\n"
                + "Exception raised from get_output_size at /pytorch/aten/src/ATen/native/Pool.h:54 (most recent call first):\n"
                + "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x52 (0x7f in libc10.so)\n";
        String line = ErrorLines.oneLine(new RuntimeException(torch));
        assertEquals("Calculated padded input size per channel: (1 x 1). Kernel size: (2 x 2). Kernel size can't be greater than actual input size",
                line);
    }

    @Test
    void gsonsMessageLosesItsClassNamesAndAdvice() {
        RuntimeException gson = assertThrows(RuntimeException.class, () -> JsonParser.parseString("{\"a\": 1,, }"));
        String line = ErrorLines.oneLine(new IOException("/tmp/x.json: invalid JSON: " + gson.getMessage(), gson));
        assertFalse(line.contains("setStrictness") || line.contains("https://") || line.contains("Exception"), line);
        assertTrue(line.startsWith("/tmp/x.json: invalid JSON: "), line);
        RuntimeException eof = assertThrows(RuntimeException.class, () -> JsonParser.parseString("{\"a\":"));
        String eofLine = ErrorLines.oneLine(new IOException("/tmp/curve.json: not a relprune curve.json (" + eof.getMessage() + ")", eof));
        // before: "... (java.io.EOFException: End of input at line 1 column 6 path $.a)"
        assertEquals("/tmp/curve.json: not a relprune curve.json (End of input at line 1 column 6 path $.a)", eofLine);
    }

    @Test
    void aBugSaysSoWithoutJavaInternals() {
        JsonObject o = new JsonObject();
        NullPointerException npe = assertThrows(NullPointerException.class, () -> o.get("missing").getAsString());
        String line = ErrorLines.oneLine(npe);
        // before: Cannot invoke "com.google.gson.JsonElement.getAsString()" because the return value of ... is null
        assertFalse(line.contains("com.google") || line.contains("Cannot invoke") || line.contains("NullPointer"), line);
        assertTrue(line.startsWith("internal error") && line.contains("RELPRUNE_DEBUG=1"), line);
        assertTrue(ErrorLines.oneLine(new IllegalStateException()).startsWith("internal error"), "no message, no class name");
    }

    @Test
    void fileErrorsNameTheFileAndTheReason(@TempDir Path tmp) {
        IOException dir = assertThrows(IOException.class, () -> Files.newOutputStream(tmp));
        assertTrue(ErrorLines.oneLine(dir).startsWith(tmp + ": "), ErrorLines.oneLine(dir));
        assertEquals(tmp.resolve("x") + ": no such file", ErrorLines.oneLine(new NoSuchFileException(tmp.resolve("x").toString())));
        assertEquals("a/curve.json: no such file (not a pruning run)", ErrorLines.oneLine(new NoSuchFileException("a/curve.json", null, "not a pruning run")));
    }

    @Test
    void aPlainMessageStaysAsItIs() {
        assertEquals("--grouping must be independent or coupled, not 'magic'",
                ErrorLines.oneLine(new IllegalArgumentException("--grouping must be independent or coupled, not 'magic'")));
        assertEquals("two lines become one", ErrorLines.oneLine(new IllegalArgumentException("two lines\nbecome one")));
        assertEquals("w.pt: corrupt checkpoint: class java.lang.String cannot be cast",
                ErrorLines.oneLine(new java.io.IOException("w.pt: corrupt checkpoint: ClassCastException: class java.lang.String cannot be cast")),
                "a bare exception class name goes too");
    }
}
