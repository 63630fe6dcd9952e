package org.relprune.lrp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.relprune.tensor.HostTensor;

/**
 * The result of one explanation: input relevance [n, C, H, W]; per convolution, the relevance at
 * its output summed over space [n, channels]; per transformer MLP hidden layer (fc1 output), the
 * relevance summed over tokens [n, neurons] and the sum of its absolute values per token (for a
 * CNN or MLP: per hidden linear layer, its output relevance [n, neurons], and its |.|); per
 * attention core, the head relevance [n, heads] summed over queries and the sum over queries of
 * its absolute value (under CP-LRP at the attention output, under AttnLRP at the softmax output).
 * All keyed by node name.
 */
public record Attribution(HostTensor input, Map<String, HostTensor> channels, Map<String, HostTensor> neurons,
                          Map<String, HostTensor> neuronsAbs, Map<String, HostTensor> heads, Map<String, HostTensor> headsAbs) {
    /** The explanations of consecutive batches as one: every tensor stacked along the samples. */
    public static Attribution concatRows(List<Attribution> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return new Attribution(HostTensor.concatRows(parts.stream().map(Attribution::input).toList()),
                concat(parts, Attribution::channels), concat(parts, Attribution::neurons), concat(parts, Attribution::neuronsAbs),
                concat(parts, Attribution::heads), concat(parts, Attribution::headsAbs));
    }

    private static Map<String, HostTensor> concat(List<Attribution> parts, Function<Attribution, Map<String, HostTensor>> field) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String key : field.apply(parts.get(0)).keySet()) {
            List<HostTensor> rows = new ArrayList<>();
            for (Attribution a : parts) {
                HostTensor t = field.apply(a).get(key);
                if (t == null) {
                    throw new IllegalArgumentException("Attribution.concatRows: " + key + " is missing from a part");
                }
                rows.add(t);
            }
            out.put(key, HostTensor.concatRows(rows));
        }
        return out;
    }
}
