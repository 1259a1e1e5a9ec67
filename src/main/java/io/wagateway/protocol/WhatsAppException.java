package io.wagateway.protocol;

/** A request Meta refused: answered as {@code whatsapp_error} with Meta's code and details. */
public class WhatsAppException extends ProtocolException {

    private final int metaCode;
    private final String details;

    public WhatsAppException(String message, int metaCode, String details) {
        super(ErrorCode.WHATSAPP_ERROR, message);
        this.metaCode = metaCode;
        this.details = details;
    }

    public int metaCode() {
        return metaCode;
    }

    public String details() {
        return details;
    }
}
