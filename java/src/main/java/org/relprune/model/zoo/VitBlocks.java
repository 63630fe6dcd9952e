package org.relprune.model.zoo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The encoder blocks of the zoo's vision transformers, by node name (torchvision's naming). */
public final class VitBlocks {
    /** Block i's nodes are named {@code PREFIX + i + ".<part>"}. */
    public static final String PREFIX = "encoder.layers.encoder_layer_";
    private static final Pattern BLOCK = Pattern.compile("^" + Pattern.quote(PREFIX) + "(\\d+)\\.");

    private VitBlocks() {
    }

    /** The block index of a node, or -1 for a node outside every block (patch embedding, head). */
    public static int blockOf(String node) {
        Matcher m = BLOCK.matcher(node);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
