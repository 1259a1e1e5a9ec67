package io.wagateway.phonenumber;

/** Phone numbers travel as digits without '+', spaces or dashes (PROTOCOL.md payload shapes). */
public final class Numbers {

    private Numbers() {
    }

    public static String digits(String number) {
        if (number == null) {
            return "";
        }
        StringBuilder digits = new StringBuilder(number.length());
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            }
        }
        return digits.toString();
    }
}
