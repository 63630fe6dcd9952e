package org.relprune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.relprune.tensor.DType;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/** bf16 storage on the CPU backend (our kernels) against libtorch's own float32 -> bfloat16 -> float32. */
class Bf16ConvertTest {
    private static HostTensor values() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] v = new float[4096 + 9];
        for (int i = 0; i < 4096; i++) {
            v[i] = (float) Math.scalb(rng.nextDouble(-2, 2), rng.nextInt(-130, 120));
        }
        float[] special = {0f, -0f, 1f + 0x1p-8f, 1f + 3 * 0x1p-8f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
            0x1p-149f, -3.14159265f};
        System.arraycopy(special, 0, v, 4096, special.length);
        return HostTensor.of(v, 5, 821);
    }

    @Test
    void roundTripMatchesLibtorchBitForBit() {
        HostTensor x = values();
        HostTensor want;
        try (org.bytedeco.pytorch.Tensor t = TorchTensors.fromHost(x);
             org.bytedeco.pytorch.Tensor narrow = t.to(torch.ScalarType.BFloat16);
             org.bytedeco.pytorch.Tensor wide = narrow.to(torch.ScalarType.Float)) {
            want = TorchTensors.toHost(wide);
        }
        try (CpuBackend cpu = new CpuBackend(); TensorScope scope = TensorScope.open()) {
            Tensor narrow = cpu.convert(cpu.upload(x), DType.BF16);
            assertEquals(DType.BF16, narrow.dtype());
            assertEquals(x.shape(), narrow.shape());
            HostTensor got = cpu.download(cpu.convert(narrow, DType.F32));
            for (int i = 0; i < x.data().length; i++) {
                assertEquals(Float.floatToRawIntBits(want.data()[i]), Float.floatToRawIntBits(got.data()[i]),
                        "element " + i + " (" + x.data()[i] + "): ours " + got.data()[i] + ", libtorch " + want.data()[i]);
            }
        }
    }

    @Test
    void bf16TensorsAreStorageOnly() {
        try (CpuBackend cpu = new CpuBackend(); TensorScope scope = TensorScope.open()) {
            Tensor x = cpu.upload(HostTensor.of(new float[] {1, -2, 3}, 3));
            Tensor narrow = cpu.convert(x, DType.BF16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.relu(narrow));
            assertTrue(e.getMessage().contains("holds BF16 storage") && e.getMessage().contains("convert it to F32"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cpu.download(narrow));
            IllegalArgumentException same = assertThrows(IllegalArgumentException.class, () -> cpu.convert(x, DType.F32));
            assertTrue(same.getMessage().contains("is already F32"), same.getMessage());
            assertEquals(-2f, cpu.download(cpu.convert(narrow, DType.F32)).data()[1]);
        }
    }
}
