package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.export.OnnxExport;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.TensorScope;

/**
 * Our ONNX export (own protobuf writer) run by Microsoft's ONNX Runtime against our CPU engine:
 * CNNs, a ViT, and a compacted ViT (fewer heads and MLP neurons).
 */
class OnnxExportTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet5",
        "{\"preset\":\"resnet18\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}",
        "{\"preset\":\"resnet50\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}",
        "{\"family\":\"torchvision.VGG\",\"config\":\"A\",\"batch_norm\":true,\"num_classes\":4,\"width\":8,\"classifier_width\":16,\"avgpool\":1,\"input\":[3,32,32]}",
        "{\"family\":\"torchvision.VisionTransformer\",\"image_size\":16,\"patch_size\":4,\"num_layers\":2,\"num_heads\":2,\"hidden_dim\":16,\"mlp_dim\":24,\"num_classes\":3}",
        "{\"family\":\"relprune.Pruned\",\"base\":{\"family\":\"torchvision.VisionTransformer\",\"image_size\":16,\"patch_size\":4,\"num_layers\":1,"
            + "\"num_heads\":4,\"hidden_dim\":16,\"mlp_dim\":24,\"num_classes\":3},\"widths\":{\"encoder.layers.encoder_layer_0.self_attention.in_proj\":24,"
            + "\"encoder.layers.encoder_layer_0.self_attention.attention\":2,\"encoder.layers.encoder_layer_0.mlp.0\":10}}"})
    void onnxRuntimeComputesOurLogits(String arch, @TempDir Path tmp) throws Exception {
        Graph g = ModelZoo.resolve(arch);
        Map<String, HostTensor> w = RandomWeights.generate(g, 6);
        Path file = tmp.resolve("model.onnx");
        OnnxExport.write(file, g, w, "test");
        int n = 3;
        long[] dims = {n, g.inputShape().dim(0), g.inputShape().dim(1), g.inputShape().dim(2)};
        Shape s = Shape.of(dims);
        float[] x = new float[s.numelInt()];
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        float[] ours;
        try (CpuBackend backend = new CpuBackend(); Model m = Model.load(g, w, backend); TensorScope scope = TensorScope.open()) {
            ours = backend.download(ForwardPass.run(g, m, backend, backend.upload(new HostTensor(s, x)))).data();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result r = session.run(Map.of("input", input))) {
            float[][] theirs = (float[][]) r.get(0).getValue();
            assertEquals(n, theirs.length);
            double scale = 0;
            for (float v : ours) {
                scale = Math.max(scale, Math.abs(v));
            }
            int k = theirs[0].length;
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    assertEquals(ours[i * k + c], theirs[i][c], 1e-4 * scale + 1e-6, arch + " sample " + i + " class " + c);
                }
            }
        }
    }
}
