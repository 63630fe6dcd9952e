package org.relprune.prune;

/**
 * One layer's prunable components: {@code count} output channels or neurons of node
 * {@code layer} (weight {@code weight}, rows = components), masked at the output of node
 * {@code maskNode} (the layer itself, or the BatchNorm right after it).
 */
public record PrunableLayer(String layer, String maskNode, String weight, int count) {
}
