package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `explain --heatmap` writes one picture per input: the image beside a red/blue relevance map. */
class ExplainHeatmapTest {
    @Test
    void onePngPerInput(@TempDir Path tmp) throws Exception {
        String f = "resnet_basic";
        Cli r = Cli.run("explain", "--arch", GoldenFixtures.arch(f).toString(), "--weights", GoldenFixtures.model(f).toString(),
                "--input", GoldenFixtures.golden(f) + ":input", "--composite", "epsilon_plus", "--out", tmp.resolve("r.safetensors").toString(),
                "--heatmap", tmp.resolve("maps").toString());
        assertEquals(0, r.exitCode(), r.err());
        for (int i = 0; i < 4; i++) {
            BufferedImage img = ImageIO.read(tmp.resolve("maps").resolve(i + ".png").toFile());
            // 64x64 inputs are enlarged twice: two 128-pixel panels and a 2-pixel gap
            assertEquals(2 * 128 + 2, img.getWidth());
            assertEquals(128, img.getHeight());
            boolean red = false;
            for (int y = 0; y < img.getHeight() && !red; y++) {
                for (int x = 130; x < img.getWidth(); x++) {
                    int rgb = img.getRGB(x, y) & 0xffffff;
                    if (rgb == 0xff0000 || rgb == 0x0000ff) {
                        red = true; // the pixel of largest |relevance| is pure red or pure blue
                        break;
                    }
                }
            }
            assertTrue(red, "sample " + i + " has no pixel at full relevance");
        }
    }
}
