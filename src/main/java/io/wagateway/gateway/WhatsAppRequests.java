package io.wagateway.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.config.JsonText;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.outbound.OutboundMessageService;
import io.wagateway.outbound.OutboxSender;
import io.wagateway.phonenumber.NumberStateService;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ClientEvent.GetConnectionStatus;
import io.wagateway.protocol.ClientEvent.GetNumbers;
import io.wagateway.protocol.ClientEvent.GetQrCode;
import io.wagateway.protocol.ClientEvent.GetTemplates;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.protocol.Views;
import io.wagateway.template.TemplateService;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.mutiny.Uni;

/** Sending, and the tenant's WhatsApp numbers: the list, their QR codes, connection status and templates. */
@ApplicationScoped
class WhatsAppRequests implements ClientRequests {

    private final OutboundMessageService outbound;
    private final OutboxSender sender;
    private final SendAnswers sendAnswers;
    private final NumberStateService numberStates;
    private final GatewayMetrics metrics;
    private final ObjectMapper json;
    private final FanoutService fanout;
    private final TemplateService templates;

    WhatsAppRequests(OutboundMessageService outbound, OutboxSender sender, SendAnswers sendAnswers,
                     NumberStateService numberStates, GatewayMetrics metrics, ObjectMapper json,
                     FanoutService fanout, TemplateService templates) {
        this.outbound = outbound;
        this.sender = sender;
        this.sendAnswers = sendAnswers;
        this.numberStates = numberStates;
        this.metrics = metrics;
        this.json = json;
        this.fanout = fanout;
        this.templates = templates;
    }

    @Override
    public void register(Routes routes) {
        routes.on("send_message", SendMessage.class, "message_sent", "message_send_error", this::send)
                .on("get_numbers", GetNumbers.class, "numbers_response", (session, r, answer) -> fanout
                        .lastSeqFor(session).chain(seq -> numberStates.numbers(session.identity().tenant())
                                .map(numbers -> answer.withList(numbers, seq))))
                .on("get_qr_code", GetQrCode.class, "qr_code_response", (session, r, answer) -> numberStates
                        .qrCode(session.identity().tenant(), r.phoneNumberId(), Boolean.TRUE.equals(r.forceNew()),
                                r.prefilledMessage())
                        .map(answer::with))
                .on("get_templates", GetTemplates.class, "templates_response", (session, r, answer) -> fanout
                        .lastSeqFor(session).chain(seq -> templates.approved(session.identity().tenant(),
                                r.phoneNumberId(), r.search()).map(list -> answer.withList(list, seq))))
                .on("get_connection_status", GetConnectionStatus.class, "connection_status", (session, r, answer) ->
                        numberStates.connectionStatus(session.identity().tenant(), r.phoneNumberId())
                                .map(answer::with));
    }

    /**
     * Stores the send, answers {@code message_sent}, and only then starts the Graph call, so that the
     * answer always precedes the send's outcome ({@code message_sent_success} or {@code message_send_error}).
     */
    private Uni<ServerFrame> send(ClientSession session, SendMessage r, Answer answer) {
        return outbound.send(session.identity(), r).chain(accepted -> {
            if (accepted.created()) {
                sendAnswers.expect(accepted.messageId(), session, answer.requestId());
            }
            metrics.eventOut(answer.event(), 1);
            return session.sendText(JsonText.of(json, answer.with(new Views.MessageSent(
                            accepted.messageId().toString(), accepted.clientMessageId(), accepted.status()))))
                    .invoke(() -> sender.dispatch(accepted.job()))
                    .replaceWith((ServerFrame) null);
        });
    }
}
