/**
 * JSON plumbing shared by this module's readers and writers (path-tracking field reader, stable
 * pretty printer, atomic writes). Public only so the module's packages can share it: not API.
 */
package dev.fastvlm.genie.internal;
