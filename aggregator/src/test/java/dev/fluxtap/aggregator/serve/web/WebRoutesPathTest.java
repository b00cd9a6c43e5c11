package dev.fluxtap.aggregator.serve.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebRoutesPathTest {

    @Test
    void dotSegmentsBackslashesAndControlCharactersAreUnsafe() {
        assertThat(WebRoutes.safe("/assets/abc/js/app.js")).isTrue();
        assertThat(WebRoutes.safe("/flows")).isTrue();
        assertThat(WebRoutes.safe("/a/../b")).isFalse();
        assertThat(WebRoutes.safe("/..")).isFalse();
        assertThat(WebRoutes.safe("/./a")).isFalse();
        assertThat(WebRoutes.safe("/a\\..\\b")).isFalse();
        assertThat(WebRoutes.safe("/a\u0000b")).isFalse();
        assertThat(WebRoutes.safe("relative")).isFalse();
        assertThat(WebRoutes.safe("/file..name.js")).isTrue();
    }

    @Test
    void reservedPrefixesMatchWholeSegments() {
        assertThat(WebRoutes.reserved("/api")).isTrue();
        assertThat(WebRoutes.reserved("/api/v1/x")).isTrue();
        assertThat(WebRoutes.reserved("/ws")).isTrue();
        assertThat(WebRoutes.reserved("/metrics/x")).isTrue();
        assertThat(WebRoutes.reserved("/apis")).isFalse();
        assertThat(WebRoutes.reserved("/flows")).isFalse();
    }

    @Test
    void gzipIsChosenUnlessRefused() {
        assertThat(WebRoutes.acceptsGzip("gzip, deflate, br")).isTrue();
        assertThat(WebRoutes.acceptsGzip("br;q=1.0, gzip;q=0.5")).isTrue();
        assertThat(WebRoutes.acceptsGzip("*")).isTrue();
        assertThat(WebRoutes.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(WebRoutes.acceptsGzip("gzip; q=0.0")).isFalse();
        assertThat(WebRoutes.acceptsGzip("identity")).isFalse();
        assertThat(WebRoutes.acceptsGzip(null)).isFalse();
    }

    @Test
    void contentTypesByExtension() {
        assertThat(WebAssets.contentType("index.html")).isEqualTo("text/html; charset=utf-8");
        assertThat(WebAssets.contentType("js/app.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(WebAssets.contentType("app.css")).isEqualTo("text/css; charset=utf-8");
        assertThat(WebAssets.contentType("favicon.svg")).isEqualTo("image/svg+xml");
        assertThat(WebAssets.contentType("blob.bin")).isEqualTo("application/octet-stream");
    }
}
