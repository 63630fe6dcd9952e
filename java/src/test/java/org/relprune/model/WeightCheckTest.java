package org.relprune.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

class WeightCheckTest {
    private final Graph graph = ModelZoo.resolve("{\"preset\":\"resnet18\",\"width\":8,\"num_classes\":4}");

    private Map<String, HostTensor> weights() {
        return new LinkedHashMap<>(RandomWeights.generate(graph, 1));
    }

    @Test
    void completeWeightsPassWithOrWithoutNumBatchesTracked() {
        Map<String, HostTensor> w = weights();
        assertDoesNotThrow(() -> WeightCheck.check(graph, w, "w.safetensors"));
        w.put("bn1.num_batches_tracked", HostTensor.of(new float[] {5}));
        assertDoesNotThrow(() -> WeightCheck.check(graph, w, "w.safetensors"));
    }

    @Test
    void missingUnexpectedAndMisshapedAreAllNamed() {
        Map<String, HostTensor> w = weights();
        w.remove("fc.bias");
        w.put("fc.weight", HostTensor.zeros(Shape.of(4, 63)));
        w.put("layer5.0.conv1.weight", HostTensor.zeros(Shape.of(1)));
        WeightMismatchException e = assertThrows(WeightMismatchException.class, () -> WeightCheck.check(graph, w, "w.safetensors"));
        String m = e.getMessage();
        assertTrue(m.startsWith("w.safetensors"), m);
        assertTrue(m.contains("missing tensor 'fc.bias'"), m);
        assertTrue(m.contains("'fc.weight' has shape [4, 63]") && m.contains("expects [4, 64]"), m);
        assertTrue(m.contains("unexpected tensor 'layer5.0.conv1.weight'"), m);
    }

    @Test
    void randomWeightsAreReproducibleAndSeedDependent() {
        Map<String, HostTensor> a = RandomWeights.generate(graph, 3);
        Map<String, HostTensor> b = RandomWeights.generate(graph, 3);
        Map<String, HostTensor> c = RandomWeights.generate(graph, 4);
        for (String k : a.keySet()) {
            assertTrue(java.util.Arrays.equals(a.get(k).data(), b.get(k).data()), k);
        }
        assertTrue(!java.util.Arrays.equals(a.get("conv1.weight").data(), c.get("conv1.weight").data()));
    }
}
