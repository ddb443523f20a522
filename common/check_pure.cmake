# Fails if an object of the archive ARCHIVE has an undefined reference to a libc syscall wrapper
# (run by common/CMakeLists.txt after every build of oci_netns_model, with NM set).
execute_process(COMMAND ${NM} --undefined-only --format=posix ${ARCHIVE}
                OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm ${ARCHIVE} failed")
endif()
# The wrappers of syscalls on files, descriptors, processes, namespaces, mounts and sockets.
set(forbidden
    open open64 openat openat64 creat read pread write pwrite readv writev close dup dup2 dup3
    fcntl ioctl stat stat64 fstat fstat64 lstat fstatat fstatat64 statx statfs fstatfs access
    faccessat mkdir mkdirat unlink unlinkat rename renameat renameat2 readlink readlinkat symlink
    link linkat chmod fchmod chown fchown truncate ftruncate opendir fdopendir readdir readdir64
    closedir getdents64 mount umount umount2 setns unshare clone fork vfork execv execve execvp
    waitpid wait4 kill pipe pipe2 poll ppoll select socket connect bind send sendto sendmsg recv
    recvfrom recvmsg flock prctl syscall getpid getuid geteuid sysconf fopen fwrite fputs fprintf
    printf puts)
string(REPLACE "\n" ";" lines "${undefined}")
set(found "")
foreach(line IN LISTS lines)
  if(line MATCHES "^([A-Za-z_0-9]+)(@[^ ]*)? [Uw]")
    list(FIND forbidden "${CMAKE_MATCH_1}" index)
    if(NOT index EQUAL -1)
      list(APPEND found "${CMAKE_MATCH_1}")
    endif()
  endif()
endforeach()
if(found)
  list(REMOVE_DUPLICATES found)
  message(FATAL_ERROR "oci_netns_model must stay pure, but its objects call: ${found}\n"
                      "(move that code to common/sys)")
endif()
