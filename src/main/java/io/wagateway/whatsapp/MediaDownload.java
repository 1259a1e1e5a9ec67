package io.wagateway.whatsapp;

/**
 * A download that completed: how many bytes were written and their SHA-256 (hex), computed while
 * they streamed by.
 */
public record MediaDownload(long size, String sha256Hex) {}
