package org.relprune.lrp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.lrp.RuleReferenceTest.Geometry;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.GraphBuilder;
import org.relprune.model.Model;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.ReLU;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The whole path through the {@link Attributor} (its own forward cache, its u = W+ x+ + W- x-
 * from the stacked sign-split convolution, the composite lookup for the first layer and the
 * classifier, ReLU and flatten) against the float64 dense reference of {@link RuleReferenceTest}
 * on a two-layer network: conv 3->5 (3x3, stride 2, padding 1, on 7x9) -> ReLU -> flatten ->
 * linear 100->4, one-hot start. Dyadic weights and inputs keep every denominator exact in float32
 * (ReLU outputs stay on the 1/256 grid; the classifier bias is an odd multiple of 1/8192, off the
 * 1/4096 grid of W a, so its z is never 0); tolerance as in RuleReferenceTest.
 */
class AttributorReferenceTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    static final Geometry CONV = new Geometry("conv", 2, 3, 5, 7, 9, 3, Conv2dSpec.of(2, 1), true);
    static final int CLASSES = 4;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Rule conv : RuleReferenceTest.rules()) {
            for (String linear : List.of("epsilon:0.25", "zplus", "gamma:0.25")) {
                for (boolean signed : new boolean[] {false, true}) {
                    out.add(Arguments.of(conv, linear, signed));
                }
            }
        }
        return out.stream();
    }

    static Graph graph() {
        GraphBuilder g = new GraphBuilder("two-layer", Shape.of(CONV.cin(), CONV.h(), CONV.w()));
        int x = g.add("conv", Conv2d.of("conv", CONV.cin(), CONV.cout(), CONV.k(), CONV.spec().strideH(), CONV.spec().padH(), true), g.input());
        x = g.add("relu", new ReLU(), x);
        x = g.add("flatten", new Flatten(), x);
        g.add("fc", NodeRole.CLASSIFIER, Linear.of("fc", CONV.outSize(), CLASSES), x);
        return g.build();
    }

    @ParameterizedTest(name = "conv={0}, linear={1}, signed input {2}")
    @MethodSource("cases")
    void attributorMatchesDenseReference(Rule convRule, String linearRule, boolean signed) {
        RuleReferenceTest.Data d = RuleReferenceTest.data(CONV, signed, signed ? 3 : 4);
        SplittableRandom rng = new SplittableRandom(77);
        Geometry fcGeometry = new Geometry("fc", CONV.n(), CONV.outSize(), CLASSES, 1, 1, 1, null, true);
        double[] fcWeight = new double[CLASSES * CONV.outSize()];
        for (int i = 0; i < fcWeight.length; i++) {
            fcWeight[i] = (2 * rng.nextInt(-8, 8) + 1) / 16.0;
        }
        double[] fcBias = new double[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            fcBias[i] = (2 * rng.nextInt(-512, 512) + 1) / 8192.0;
        }
        int[] targets = {1, 3};

        // float64 reference: forward, then the classifier's rule, ReLU passes, then the conv's rule
        Rule fcRule = Composites.named("linear=" + linearRule).ruleFor(org.relprune.lrp.composite.LayerKind.LINEAR,
                org.relprune.lrp.composite.LayerGroup.FC);
        double[][][] conv = RuleReferenceTest.dense(CONV, d.weight());
        double[] convBias = RuleReferenceTest.biasPerOutput(CONV, d.bias());
        double[][][] fc = RuleReferenceTest.dense(fcGeometry, fcWeight);
        double[][] expected = new double[CONV.n()][];
        for (int s = 0; s < CONV.n(); s++) {
            double[] a = RuleReferenceTest.map(RuleReferenceTest.plus(RuleReferenceTest.matvec(conv[0], d.x()[s]), convBias), RuleReferenceTest::pos);
            double[] oneHot = new double[CLASSES];
            oneHot[targets[s]] = 1;
            double[] r1 = RuleReferenceTest.reference(fcRule, fc[0], fc[1], fcBias, a, oneHot);
            expected[s] = RuleReferenceTest.reference(convRule, conv[0], conv[1], convBias, d.x()[s], r1);
        }

        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put("conv.weight", new HostTensor(CONV.wShape(), RuleReferenceTest.floats(d.weight())));
        weights.put("conv.bias", HostTensor.of(RuleReferenceTest.floats(d.bias()), CONV.cout()));
        weights.put("fc.weight", HostTensor.of(RuleReferenceTest.floats(fcWeight), CLASSES, CONV.outSize()));
        weights.put("fc.bias", HostTensor.of(RuleReferenceTest.floats(fcBias), CLASSES));
        try (Model m = Model.load(graph(), weights, backend); TensorScope scope = TensorScope.open()) {
            Tensor x = backend.upload(new HostTensor(CONV.xShape(), RuleReferenceTest.floats(d.x())));
            try (Attributor attributor = new Attributor(m, x)) {
                String spec = "conv=" + convRule.spec() + ",linear=" + linearRule;
                Attribution r = attributor.explain(Composites.named(spec), targets);
                assertEquals(CONV.xShape(), r.input().shape());
                double[][] ours = new double[CONV.n()][CONV.inSize()];
                for (int s = 0; s < CONV.n(); s++) {
                    for (int i = 0; i < CONV.inSize(); i++) {
                        ours[s][i] = r.input().data()[s * CONV.inSize() + i];
                    }
                }
                RuleReferenceTest.assertClose(expected, ours, spec + (signed ? " (signed x)" : " (x >= 0)"));
            }
        }
    }
}
