package dev.fluxtap.aggregator.serve.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fluxtap.aggregator.serve.rest.Json;
import java.io.UncheckedIOException;

/** The server's messages on /ws, built as JSON text. A data message embeds a payload serialised once and shared. */
final class WsMessages {

    static String data(String idJson, long seq, String payloadJson) {
        return "{\"type\":\"data\",\"id\":" + idJson + ",\"seq\":" + seq + ",\"payload\":" + payloadJson + "}";
    }

    static String lagged(String id, long dropped) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("type", "lagged").put("id", id).put("dropped", dropped);
        return n.toString();
    }

    static String error(String id, String reason) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("type", "error");
        if (id != null) {
            n.put("id", id);
        }
        return n.put("reason", reason).toString();
    }

    static String pong(String id) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("type", "pong");
        return (id == null ? n : n.put("id", id)).toString();
    }

    static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private WsMessages() {
    }
}
