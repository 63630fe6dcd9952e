package org.relprune.run;

import java.nio.file.NoSuchFileException;

/** One-line error messages for the user: the message of the most telling exception in the chain. */
public final class ErrorLines {
    private ErrorLines() {
    }

    public static String oneLine(Throwable ex) {
        Throwable t = ex;
        String msg;
        if (t instanceof NoSuchFileException nsf) {
            msg = nsf.getFile() + ": no such file";
        } else {
            msg = t.getMessage();
        }
        if (msg == null || msg.isBlank()) {
            msg = t.getClass().getSimpleName();
        }
        return msg.replace('\n', ' ');
    }
}
