package io.wagateway.whatsapp;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks the sandbox simulator's {@link GraphTransport}. */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Sandboxed {

    final class Literal extends AnnotationLiteral<Sandboxed> implements Sandboxed {
        public static final Literal INSTANCE = new Literal();
    }
}
