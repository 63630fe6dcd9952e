package org.relprune.lrp;

import java.util.Map;
import org.relprune.tensor.HostTensor;

/**
 * The result of one explanation: input relevance [n, C, H, W] and, per convolution, the relevance
 * at its output summed over space [n, channels] (keyed by node name).
 */
public record Attribution(HostTensor input, Map<String, HostTensor> channels) {
}
