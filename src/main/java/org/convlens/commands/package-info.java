/** Commands room: thin SciJava and ImageJ 1.x entry points. */
package org.convlens.commands;
