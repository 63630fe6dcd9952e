package org.relprune.lrp;

import java.util.Map;
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
}
