namespace NtkDsl.IO;

/// <summary>
/// Writes a file atomically: everything goes to a temporary file in the destination's folder, which is flushed to
/// disk and renamed over the destination by <see cref="Commit"/>. Disposing without committing deletes the temporary
/// file, so a failure mid-write leaves the previous file (if any) untouched and no stray temporary file behind. A
/// process killed mid-write cannot clean up; its temporary file has a recognisable name (<see cref="TempFileNames"/>)
/// and the next write to the same destination removes it.
/// </summary>
/// <remarks>Thread safety: one writer is used by one thread at a time; distinct writers (even to one destination) are independent.</remarks>
internal sealed class AtomicFileWriter : IDisposable
{
    private readonly FileStream _file;
    private bool _done;

    /// <param name="path">The destination.</param>
    /// <param name="wrap">Test hook: wraps the file stream (e.g. to inject a failure after N bytes).</param>
    public AtomicFileWriter(string path, Func<Stream, Stream>? wrap = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DestinationPath = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(DestinationPath) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Cannot write '{DestinationPath}': the folder '{dir}' does not exist; create it first.");
        TempFileNames.CleanStale(DestinationPath);
        TempPath = TempFileNames.Reserve(DestinationPath);
        try
        {
            _file = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch
        {
            TempFileNames.Release(TempPath);
            throw;
        }
        try
        {
            Stream = wrap is null ? _file : wrap(_file);
        }
        catch
        {
            _file.Dispose();
            File.Delete(TempPath);
            TempFileNames.Release(TempPath);
            throw;
        }
    }

    /// <summary>The final path.</summary>
    public string DestinationPath { get; }

    /// <summary>The temporary file being written.</summary>
    public string TempPath { get; }

    /// <summary>Where to write the content.</summary>
    public Stream Stream { get; }

    /// <summary>Flushes to disk and renames the temporary file over the destination.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        try
        {
            Stream.Flush();
            _file.Flush(flushToDisk: true);
            if (!ReferenceEquals(Stream, _file)) Stream.Dispose();
            _file.Dispose();
            File.Move(TempPath, DestinationPath, overwrite: true);
            _done = true;
            TempFileNames.Release(TempPath);
        }
        catch
        {
            Abort();
            throw;
        }
    }

    /// <summary>Deletes the temporary file (no effect after <see cref="Commit"/>). Never throws.</summary>
    public void Abort()
    {
        if (_done) return;
        _done = true;
        try
        {
            if (!ReferenceEquals(Stream, _file)) Stream.Dispose();
        }
        catch (IOException)
        {
            // The wrapper may fail again while flushing on dispose; the file stream is closed below regardless.
        }
        try
        {
            _file.Dispose();
        }
        catch (IOException)
        {
            // Flushing buffered bytes of a file that is being thrown away can fail (full disk); the handle is closed anyway.
        }
        try
        {
            File.Delete(TempPath);
        }
        catch (IOException)
        {
            // Best effort: nothing more can be done about a temporary file that cannot be removed.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
        TempFileNames.Release(TempPath);
    }

    /// <inheritdoc />
    public void Dispose() => Abort();
}
