/**
 * Memory-bounded caches of the read path, both on one CLOCK map ({@code ClockCache}, whose hits
 * take no lock): decoded frames ({@link io.ironwal.internal.cache.BlockCache}) and sealed
 * segments' frame indexes ({@link io.ironwal.internal.cache.IndexCache}).
 */
package io.ironwal.internal.cache;
