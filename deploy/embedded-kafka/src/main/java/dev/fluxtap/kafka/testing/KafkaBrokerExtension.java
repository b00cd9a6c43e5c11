package dev.fluxtap.kafka.testing;

import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a test class a real Kafka broker as a {@link KafkaBroker} (or {@link EmbeddedKafkaBroker}) parameter.
 * One broker per test class, closed after the class. By default the broker is the embedded KRaft broker. With
 * {@code -Dfluxtap.test.kafka=testcontainers} or {@code FLUXTAP_TEST_KAFKA=testcontainers} and a working Docker,
 * it is the official apache/kafka image through Testcontainers instead.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

    public static final String SWITCH_PROPERTY = "fluxtap.test.kafka";
    public static final String SWITCH_ENV = "FLUXTAP_TEST_KAFKA";

    private static final Logger log = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaBroker.class || type == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context.getTestClass().isPresent() && context.getParent().isPresent()
                && context.getTestMethod().isPresent() ? context.getParent().get() : context;
        boolean embeddedRequired = parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
        BrokerResource resource = classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(BrokerResource.class, k -> new BrokerResource(startBroker(embeddedRequired)), BrokerResource.class);
        if (embeddedRequired && !(resource.broker instanceof EmbeddedKafkaBroker)) {
            throw new ParameterResolutionException("this test needs the embedded broker (it stops and restarts it)");
        }
        return resource.broker;
    }

    static KafkaBroker startBroker(boolean embeddedRequired) {
        String wanted = System.getProperty(SWITCH_PROPERTY, System.getenv().getOrDefault(SWITCH_ENV, "embedded"));
        if (!embeddedRequired && "testcontainers".equals(wanted.toLowerCase(Locale.ROOT))) {
            if (dockerAvailable()) {
                log.info("test broker: Testcontainers {}", TestcontainersKafkaBroker.IMAGE);
                return new TestcontainersKafkaBroker();
            }
            log.warn("test broker: Testcontainers was asked for but Docker is not available; using the embedded broker");
        }
        return new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start();
    }

    private static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private record BrokerResource(KafkaBroker broker) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            broker.close();
        }
    }
}
