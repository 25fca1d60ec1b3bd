// SPDX-License-Identifier: Apache-2.0

/// How a group's write or sync failed.
enum GroupFailure: Error {
    /// `ENOSPC` / `EDQUOT` while writing; the files were rolled back, later groups are tried normally.
    case diskFull
    /// Another write-side error after a clean rollback (e.g. `EMFILE`); only this group is rejected.
    case transient(String)
    /// An fsync failed, or a write returned `EIO`/`EROFS`, or a rollback failed: the on-disk and
    /// page-cache state can no longer be trusted, so nothing is acknowledged any more.
    case fatal(String)
}

extension Committer {
    /// Writes every chunk (one `pwrite` per file unless it comes back short), then `fdatasync`s each
    /// file once and fsyncs the directories that gained entries. Returns the number of file syncs.
    func writeAndSync(_ plans: inout [PixelPlan]) -> Result<Int, GroupFailure> {
        var directories: [String] = []
        do throws(FileSystemError) {
            for i in plans.indices {
                let pixelID = plans[i].pixelID
                for j in plans[i].chunks.indices {
                    let path = layout.segmentPath(pixelID, plans[i].chunks[j].segment)
                    let fd: Int32
                    if plans[i].chunks[j].isNew {
                        if plans[i].baseSegment == 0 && j == 0 {
                            try fs.makeDirectory(
                                layout.pixelDirectory(pixelID), permissions: QueueLayout.directoryPermissions)
                            directories.append(layout.queueDirectory)
                        }
                        plans[i].chunks[j].touched = true
                        do {
                            fd = try fs.open(
                                path, [.write, .create, .truncate], permissions: QueueLayout.filePermissions)
                        } catch {
                            throw error.at(path)
                        }
                        plans[i].chunks[j].fd = fd
                        directories.append(layout.pixelDirectory(pixelID))
                    } else {
                        fd = try activeDescriptor(pixelID)
                        plans[i].chunks[j].touched = true
                    }
                    do {
                        try FileIO.writeAll(fs, fd, plans[i].chunks[j].bytes, at: plans[i].chunks[j].offset)
                    } catch {
                        throw error.at(path)
                    }
                    let before = plans[i].chunks[j].isNew ? 0 : (writers[pixelID]?.allocated ?? 0)
                    plans[i].chunks[j].allocated = try preallocate(fd, end: plans[i].chunks[j].end, allocated: before)
                }
            }
        } catch {
            return .failure(rollback(&plans, after: error))
        }

        var syncs = 0
        do throws(FileSystemError) {
            for plan in plans {
                for chunk in plan.chunks where options.syncData {
                    let fd = chunk.isNew ? chunk.fd : writers[plan.pixelID]!.fd
                    do {
                        try fs.fdatasync(fd)
                    } catch {
                        throw error.at(layout.segmentPath(plan.pixelID, chunk.segment))
                    }
                    syncs += 1
                }
            }
            var seen = Set<String>()
            for directory in directories where seen.insert(directory).inserted {
                try fs.syncDirectory(directory)
            }
        } catch {
            return .failure(.fatal("\(error); refusing to acknowledge anything after a failed sync"))
        }
        return .success(syncs)
    }

    /// Keeps zero-filled room past `end` (see `Options.preallocationBytes`): when the data reached
    /// the end of the room, zeros up to the next step boundary (within the segment size limit) are
    /// written with the group, so the following groups' syncs change no metadata. Best effort: when a
    /// full disk refuses the zeros, the file is cut back to `end` and the group goes on without them.
    /// - Returns: the file's size now.
    private func preallocate(_ fd: Int32, end: Int64, allocated: Int64) throws(FileSystemError) -> Int64 {
        let step = options.preallocationBytes
        guard step > 0, end > allocated else { return max(allocated, end) }
        let target = min(options.segmentBytes, (end / step + 1) * step)
        guard target > end else { return end }
        if zeros.count < Int(step) { zeros = [UInt8](repeating: 0, count: Int(step)) }
        do {
            try FileIO.writeAll(fs, fd, zeros, count: Int(target - end), at: end)
            return target
        } catch  where error.isNoSpace {
            try fs.ftruncate(fd, to: end)  // no partial room: the size must stay what was written
            return end
        }  // any other error is the device's: the group fails like a failed record write
    }

    /// The write descriptor of a pixel's active segment, opened on first use.
    private func activeDescriptor(_ pixelID: String) throws(FileSystemError) -> Int32 {
        guard var writer = writers[pixelID] else {
            throw FileSystemError(
                operation: "open", path: layout.pixelDirectory(pixelID), code: FileSystemError.Code.noEntry)
        }
        if writer.fd < 0 {
            let path = layout.segmentPath(pixelID, writer.segment)
            do {
                writer.fd = try fs.open(path, .write, permissions: QueueLayout.filePermissions)
            } catch {
                throw error.at(path)
            }
            writers[pixelID] = writer
        }
        return writer.fd
    }

    /// Undoes a failed group's writes: truncates active segments to their size before the group and
    /// removes segments it created, so no unacknowledged bytes stay in front of later records.
    private func rollback(_ plans: inout [PixelPlan], after error: FileSystemError) -> GroupFailure {
        if error.code == FileSystemError.Code.io || error.code == FileSystemError.Code.readOnlyFileSystem {
            return .fatal("\(error); the device reported an error")
        }
        do throws(FileSystemError) {
            for i in plans.indices {
                for j in plans[i].chunks.indices where plans[i].chunks[j].touched {
                    let chunk = plans[i].chunks[j]
                    if chunk.isNew {
                        if chunk.fd >= 0 {
                            fs.close(chunk.fd)
                            plans[i].chunks[j].fd = -1
                        }
                        do {
                            try fs.unlink(layout.segmentPath(plans[i].pixelID, chunk.segment))
                        } catch  where error.code == FileSystemError.Code.noEntry {}
                    } else if let fd = writers[plans[i].pixelID]?.fd, fd >= 0 {
                        try fs.ftruncate(fd, to: plans[i].baseSize)
                        writers[plans[i].pixelID]?.allocated = plans[i].baseSize
                    }
                }
            }
        } catch let rollbackError {
            return .fatal("\(error), then could not roll back: \(rollbackError)")
        }
        return error.isNoSpace ? .diskFull : .transient(error.description)
    }
}
