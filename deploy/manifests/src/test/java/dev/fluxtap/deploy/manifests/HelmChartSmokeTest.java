package dev.fluxtap.deploy.manifests;

import org.junit.jupiter.api.Test;

class HelmChartSmokeTest {
    @Test
    void renders() {
        System.out.println(RenderedChart.render().yaml);
    }
}
