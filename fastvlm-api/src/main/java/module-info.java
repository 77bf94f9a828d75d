/**
 * The FastVLM API: {@link dev.fastvlm.FastVlm} and its builder, the options and exceptions users
 * see, the {@link dev.fastvlm.transport.Transport} contract with the shell helpers any transport
 * needs on the device, and the provider SPI that {@code dev.fastvlm.core} implements. It needs no
 * other module: the implementation is found with {@link java.util.ServiceLoader}.
 */
module dev.fastvlm {
    exports dev.fastvlm;
    exports dev.fastvlm.spi;
    exports dev.fastvlm.transport;

    uses dev.fastvlm.spi.FastVlmProvider;
}
